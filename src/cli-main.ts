import { main } from './cli.js';

// Exit explicitly: a client library's idle socket or timer must not keep a finished command alive.
// stdout and stderr are synchronous for files and pipes on Linux, so nothing printed is lost.
process.exit(await main(process.argv));
