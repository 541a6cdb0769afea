import type { Command } from 'commander';
import { StrataError } from '@strata/errors';
import type { CliContext } from '../context.ts';

interface UserOptions {
  auth: string;
  replace?: boolean;
}

const AUTH_OPTION = ['--auth <file>', 'the auth file `strata serve --auth` reads'] as const;

export function registerUser(program: Command, context: CliContext): void {
  const user = program
    .command('user')
    .summary('manage the users of a registry auth file')
    .description(
      'Add, remove and list the users of the auth file that `strata serve --auth FILE` reads. Only an argon2id hash of each password is stored. Who may pull, push and delete where is written in the same file, by hand (see the gateway README). A running registry reads the file again on SIGHUP.',
    );
  user
    .command('add')
    .summary('add a user, reading the password from stdin')
    .description(
      'Add a user to the auth file (created, mode 0600, when missing). The password is read from stdin: typed twice without echo on a terminal, or the first line of piped input. Passwords shorter than 8 characters are refused.',
    )
    .argument('<name>', 'user name (letters, digits, . _ @ -)')
    .requiredOption(...AUTH_OPTION)
    .option('--replace', 'change the password of an existing user')
    .action(async (name: string, options: UserOptions) => {
      const { hashPassword, isUserName, passwordWeakness, setUserPassword } = await import('@strata/gateway');
      if (!isUserName(name)) throw new StrataError('InvalidArgument', `"${name}" is not a valid user name (letters, digits, . _ @ -; not "anonymous")`);
      const password = await readPassword(context.signal);
      const weakness = passwordWeakness(password);
      if (weakness) throw new StrataError('InvalidArgument', `${weakness}; user ${name} not added`);
      const added = await setUserPassword(options.auth, name, await hashPassword(password), { replace: options.replace ?? false });
      process.stderr.write(added ? `strata: added user ${name} to ${options.auth}\n` : `strata: changed the password of user ${name} in ${options.auth}\n`);
    });
  user
    .command('remove')
    .summary('remove a user')
    .description('Remove a user from the auth file. Rules naming the user are left as written; they grant nothing without the user.')
    .argument('<name>', 'user name')
    .requiredOption(...AUTH_OPTION)
    .action(async (name: string, options: UserOptions) => {
      const { removeUser } = await import('@strata/gateway');
      await removeUser(options.auth, name);
      process.stderr.write(`strata: removed user ${name} from ${options.auth}\n`);
    });
  user
    .command('list')
    .summary('list the users')
    .description('Print the user names of the auth file, one a line.')
    .requiredOption(...AUTH_OPTION)
    .action(async (options: UserOptions) => {
      const { loadAuthFile } = await import('@strata/gateway');
      const config = await loadAuthFile(options.auth);
      process.stdout.write([...config.users.keys()].map((name) => `${name}\n`).join(''));
    });
}

/** The password from stdin: typed twice without echo on a terminal, or the first line of piped input. */
async function readPassword(signal: AbortSignal): Promise<string> {
  if (!process.stdin.isTTY) return firstLine(signal);
  const first = await typeHidden('Password: ', signal);
  const again = await typeHidden('Again: ', signal);
  if (first !== again) throw new StrataError('InvalidArgument', 'the two passwords differ');
  return first;
}

async function firstLine(signal: AbortSignal): Promise<string> {
  let text = '';
  for await (const piece of process.stdin.setEncoding('utf8')) {
    signal.throwIfAborted();
    text += piece as string;
    if (text.includes('\n')) break;
  }
  return (text.split('\n')[0] ?? '').replace(/\r$/, '');
}

/** One line typed on the terminal with echo off; Ctrl-C cancels. */
function typeHidden(prompt: string, signal: AbortSignal): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error): void => {
      stdin.off('data', onData);
      signal.removeEventListener('abort', onAbort);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onAbort = (): void => finish(new StrataError('Cancelled', 'interrupted'));
    const onData = (keys: string): void => {
      for (const key of keys) {
        if (key === '\r' || key === '\n' || key === '\u0004') return finish();
        // In raw mode Ctrl-C is a key, not a signal.
        if (key === '\u0003') return finish(new StrataError('Cancelled', 'interrupted'));
        if (key === '\u007f' || key === '\b') typed = [...typed].slice(0, -1).join('');
        else if (key >= ' ') typed += key;
      }
    };
    stdin.on('data', onData);
    signal.addEventListener('abort', onAbort);
  });
}
