'use strict';
// Berth's SSH entry (docs/decisions/0009-ssh-entry.md). This process terminates SSH with ssh2 and
// decides nothing: every authentication attempt is a question to Berth, which answers from its
// database. Once Berth has accepted a final, signed (or password) attempt, the connection is relayed
// to the chosen server's own sshd, at the address and with the host key Berth gave, logging in with
// Berth's entry key; nothing is opened towards the server before that.
//
// Berth talks to this process over stdin/stdout, one JSON object per line:
//   Berth -> gateway, first line: {listen: {host, port}, hostKeys: [PEM...], entryKey: PEM, limits: {...}}
//   gateway -> Berth: {type: "listening", port} | {type: "failed", message}
//                     | {id, type: "auth", method: "password"|"publickey", signed, user, address, password?, keyType?, key?}
//                     | {type: "log", level, message}
//   Berth -> gateway: {id, allow: true, target: {host, port, hostKey}} | {id, allow: false}

const readline = require('node:readline');
const { Server, Client, utils } = require('ssh2');

// A bug here must not leave a half-working entry: Berth logs the stack and starts the gateway again.
process.on('uncaughtException', (error) => {
  process.stderr.write(`gateway failed: ${error.stack}\n`);
  process.exit(70);
});

let nextQuestion = 1;
const questions = new Map();

function send(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

function log(level, message) {
  send({ type: 'log', level, message });
}

function ask(question) {
  return new Promise((resolve) => {
    const id = nextQuestion++;
    questions.set(id, resolve);
    send({ id, ...question });
  });
}

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
let started = false;
input.on('line', (line) => {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    log('error', 'unreadable line from Berth');
    return;
  }
  if (!started) {
    started = true;
    start(message);
    return;
  }
  const resolve = questions.get(message.id);
  if (resolve) {
    questions.delete(message.id);
    resolve(message);
  }
});
// Berth gone: so is the entry (no connection outlives the process that authorised it).
input.on('close', () => process.exit(0));

function start(config) {
  const limits = config.limits;
  const perAddress = new Map();
  let unauthenticated = 0;

  const server = new Server({ hostKeys: config.hostKeys, ident: 'Berth' }, (client, info) => {
    const address = info.ip;
    // Like sshd's MaxStartups: connections still authenticating, per client address and in all.
    const fromAddress = perAddress.get(address) || 0;
    if (fromAddress >= limits.unauthenticatedPerAddress || unauthenticated >= limits.unauthenticated) {
      client.on('error', () => {});
      client.end();
      return;
    }
    perAddress.set(address, fromAddress + 1);
    unauthenticated++;
    let counted = true;
    const settle = () => {
      if (!counted) return;
      counted = false;
      unauthenticated--;
      const left = (perAddress.get(address) || 1) - 1;
      if (left === 0) perAddress.delete(address); else perAddress.set(address, left);
    };
    const grace = setTimeout(() => client.end(), limits.loginGraceSeconds * 1000);

    let attempts = 0;
    let target = null;
    client.on('authentication', (ctx) => {
      authenticate(ctx, address, ++attempts, limits, (answer) => { target = answer.target; }).catch(() => {
        // A request ssh2 could not fully parse (a broken signature leaves no key): refused, and the
        // gateway stays up for everyone else.
        try { ctx.reject(['publickey', 'password']); } catch { client.end(); }
      });
    });
    client.on('ready', () => {
      clearTimeout(grace);
      settle();
      relay(client, target, config.entryKey, limits);
    });
    client.on('close', () => {
      clearTimeout(grace);
      settle();
    });
    client.on('error', () => {});
  });

  server.on('error', (error) => {
    send({ type: 'failed', message: error.message });
    process.exit(3);
  });
  server.listen(config.listen.port, config.listen.host, () => {
    send({ type: 'listening', port: server.address().port });
  });
}

async function authenticate(ctx, address, attempt, limits, granted) {
  if (attempt > limits.authAttempts) {
    ctx.reject([]);
    return;
  }
  const methods = ['publickey', 'password'];
  if (ctx.method === 'password') {
    const answer = await ask({ type: 'auth', method: 'password', signed: true, user: ctx.username, address, password: ctx.password });
    if (answer.allow) {
      granted(answer);
      ctx.accept();
    } else {
      ctx.reject(methods);
    }
    return;
  }
  if (ctx.method !== 'publickey') {
    ctx.reject(methods);
    return;
  }
  const key = utils.parseKey(ctx.key.data);
  if (key instanceof Error || key.type !== ctx.key.algo) {
    ctx.reject(methods);
    return;
  }
  const signed = ctx.signature !== undefined;
  // The signature over this session's identifier proves the key; without one, the client only asks
  // whether the key would do, and an answer grants nothing.
  if (signed && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
    ctx.reject(methods);
    return;
  }
  const answer = await ask({
    type: 'auth', method: 'publickey', signed, user: ctx.username, address,
    keyType: ctx.key.algo, key: ctx.key.data.toString('base64'),
  });
  if (!answer.allow) {
    ctx.reject(methods);
    return;
  }
  if (signed) {
    granted(answer);
  }
  ctx.accept();
}

// One connection to the server's own sshd per authorised client, opened after authentication.
function relay(client, target, entryKey, limits) {
  const pinned = Buffer.from(target.hostKey, 'base64');
  const upstream = new Client();
  let ready = false;
  const waiting = [];
  const whenReady = (work) => (ready ? work() : waiting.push(work));

  upstream.on('ready', () => {
    ready = true;
    waiting.splice(0).forEach((work) => work());
  });
  upstream.on('error', (error) => {
    log('warning', `server ${target.host}: ${error.message}`);
    client.end();
  });
  upstream.on('close', () => client.end());
  client.on('close', () => upstream.end());
  upstream.connect({
    host: target.host,
    port: target.port,
    username: 'root',
    privateKey: entryKey,
    hostVerifier: (key) => Buffer.isBuffer(key) && key.equals(pinned),
    algorithms: { serverHostKey: ['ecdsa-sha2-nistp256'] },
    readyTimeout: limits.upstreamTimeoutSeconds * 1000,
    keepaliveInterval: 30000,
  });

  client.on('session', (accept) => session(accept(), upstream, whenReady));
  client.on('tcpip', (accept, reject, info) => {
    // ssh -L: the destination text is only checked, never dialled: the connection always goes to
    // the server's own loopback, from inside the server.
    const local = ['localhost', '127.0.0.1', '::1', target.host];
    if (!local.includes(info.destIP) || !(info.destPort >= 1 && info.destPort <= 65535)) {
      reject();
      return;
    }
    whenReady(() => upstream.forwardOut(info.srcIP, info.srcPort, '127.0.0.1', info.destPort, (error, up) => {
      if (error) {
        reject();
        return;
      }
      const down = accept();
      down.pipe(up).pipe(down);
      down.on('error', () => up.destroy());
      up.on('error', () => down.destroy());
    }));
  });
  // ssh -R, agent and X11 forwarding: refused.
  client.on('request', (accept, reject) => reject && reject());
}

function session(channel, upstream, whenReady) {
  let pty = null;
  const env = {};
  let up = null;

  channel.on('pty', (accept, reject, info) => {
    pty = { term: info.term, rows: info.rows, cols: info.cols, width: info.width, height: info.height, modes: info.modes };
    accept && accept();
  });
  channel.on('env', (accept, reject, info) => {
    env[info.key] = info.val;
    accept && accept();
  });
  channel.on('window-change', (accept, reject, info) => {
    if (up) up.setWindow(info.rows, info.cols, info.height, info.width);
    else if (pty) Object.assign(pty, { rows: info.rows, cols: info.cols, width: info.width, height: info.height });
    accept && accept();
  });
  channel.on('signal', (accept, reject, info) => {
    if (up) up.signal(info.name);
    accept && accept();
  });
  channel.on('auth-agent', (accept, reject) => reject && reject());
  channel.on('x11', (accept, reject) => reject && reject());

  // Accepted at once: a client that has nothing to send sends EOF right after its request, and
  // ssh2 refuses to accept a session that has ended. What arrives meanwhile waits in the channel.
  const start = (accept, reject, open) => {
    const down = accept && accept();
    if (!down) return;
    whenReady(() => open((error, stream) => {
      if (error) {
        down.stderr.write(`berth: the server did not start the session (${error.message})\r\n`);
        down.exit(1);
        down.end();
        return;
      }
      up = stream;
      join(down, stream);
    }));
  };
  channel.on('shell', (accept, reject) => start(accept, reject, (done) => upstream.shell(pty || false, { env }, done)));
  channel.on('exec', (accept, reject, info) => start(accept, reject, (done) => upstream.exec(info.command, { pty: pty || undefined, env }, done)));
  channel.on('subsystem', (accept, reject, info) => {
    if (info.name !== 'sftp') {
      reject && reject();
      return;
    }
    start(accept, reject, (done) => upstream.subsys('sftp', done));
  });
}

// Bytes both ways with the channels' own flow control; the server's exit status or signal goes to
// the client before the channel closes.
function join(down, up) {
  let exit = null;
  down.pipe(up);
  up.pipe(down, { end: false });
  up.stderr.pipe(down.stderr, { end: false });
  up.on('exit', (...args) => { exit = args; });
  up.on('close', () => {
    if (exit && exit[0] !== null && exit[0] !== undefined) down.exit(exit[0]);
    else if (exit && exit[1]) down.exit(exit[1], Boolean(exit[2]), exit[3] || '');
    down.end();
  });
  down.on('close', () => up.close());
  down.on('error', () => {});
  up.on('error', () => {});
}
