import type { Command } from '../command.ts';
import { usageError } from '../failure.ts';
import { commandHelp, overview } from '../help-text.ts';
import { COMMAND_NAMES, findCommand, unknownCommand } from '../registry.ts';

/** `chartlens help [COMMAND]`: the overview, or one command's help. */
export const command: Command = {
  name: 'help',
  usage: 'chartlens help [COMMAND]',
  description: 'Shows the commands, or every option of one command with its default (the same as chartlens COMMAND --help).',
  positionals: { name: 'COMMAND', help: `one of ${COMMAND_NAMES.join(', ')}` },
  options: {},
  async run(args, io) {
    if (args.positionals.length > 1) throw usageError('help takes at most one command: chartlens help COMMAND');
    const name = args.positionals[0];
    if (name === undefined) {
      io.stdout.write(overview());
      return 0;
    }
    const entry = findCommand(name);
    if (!entry) throw unknownCommand(name);
    io.stdout.write(commandHelp(await entry.load()));
    return 0;
  },
};
