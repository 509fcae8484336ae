declare const binding: unknown;
export = binding;
