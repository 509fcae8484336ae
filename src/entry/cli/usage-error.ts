/** A mistake in how the command was called (exit code 64), as opposed to bad input data. */
export class UsageError extends Error {}
