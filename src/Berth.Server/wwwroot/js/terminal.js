// The server page's web terminals: xterm.js (with its fit and web-links add-ons, served from
// wwwroot/lib/xterm, taken from npm at build time) over the terminal WebSocket of the API.
// Contract (docs/terminal.md): binary frames carry bytes both ways; text frames are JSON control
// messages (client: resize, close) and events (Berth: session, exit, closed).
(function () {
  'use strict';

  var libraries = null;
  var terminals = {};
  var nextId = 1;
  var encoder = new TextEncoder();

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error('could not load ' + src)); };
      document.head.appendChild(script);
    });
  }

  // xterm.js is loaded on the first terminal only: other pages never pay for it.
  function loadLibraries() {
    if (!libraries) {
      var css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = '/lib/xterm/xterm.css';
      document.head.appendChild(css);
      libraries = loadScript('/lib/xterm/xterm.js').then(function () {
        return Promise.all([loadScript('/lib/xterm/addon-fit.js'), loadScript('/lib/xterm/addon-web-links.js')]);
      });
    }
    return libraries;
  }

  async function ticket(serverId) {
    var response = await fetch('/api/servers/' + serverId + '/terminal/tickets', {
      method: 'POST', credentials: 'same-origin', headers: { 'X-Berth-Csrf': '1' }
    });
    if (!response.ok) {
      var problem = null;
      try { problem = await response.json(); } catch (e) { /* not JSON */ }
      var error = new Error(problem && problem.detail ? problem.detail : ('HTTP ' + response.status));
      error.status = response.status;
      throw error;
    }
    return (await response.json()).ticket;
  }

  function button(label, onClick) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'terminal-button';
    b.textContent = label;
    b.addEventListener('click', onClick);
    return b;
  }

  // Opens a terminal in `host` (an element the page owns). `texts` carries the page's language.
  // `dotnet` (optional) is told when the user closed it, so the page removes its element.
  async function open(host, serverId, texts, dotnet) {
    await loadLibraries();
    var id = nextId++;
    var frame = document.createElement('div');
    frame.className = 'terminal-frame';
    var bar = document.createElement('div');
    bar.className = 'terminal-bar';
    var status = document.createElement('span');
    status.className = 'terminal-status';
    status.setAttribute('role', 'status');
    var screen = document.createElement('div');
    screen.className = 'terminal-screen';
    screen.setAttribute('data-testid', 'terminal-screen');
    var state = {
      id: id, serverId: serverId, texts: texts, dotnet: dotnet, frame: frame, status: status,
      socket: null, session: null, ended: false, attempts: 0, reconnectTimer: null
    };
    var full = button(texts.fullScreen, function () {
      var on = frame.classList.toggle('terminal-full');
      full.textContent = on ? texts.exitFullScreen : texts.fullScreen;
      fit(state);
      state.term.focus();
    });
    var close = button(texts.close, function () { closeTerminal(id, true); });
    close.setAttribute('data-testid', 'terminal-close');
    bar.appendChild(status);
    bar.appendChild(full);
    bar.appendChild(close);
    frame.appendChild(bar);
    frame.appendChild(screen);
    host.appendChild(frame);

    var term = new window.Terminal({
      cursorBlink: true,
      convertEol: false,
      scrollback: 5000,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14
    });
    var fitAddon = new window.FitAddon.FitAddon();
    term.loadAddon(fitAddon);
    term.loadAddon(new window.WebLinksAddon.WebLinksAddon());
    term.open(screen);
    state.term = term;
    state.fit = fitAddon;
    terminals[id] = state;

    term.onData(function (data) { send(state, encoder.encode(data)); });
    term.onBinary(function (data) {
      var bytes = new Uint8Array(data.length);
      for (var i = 0; i < data.length; i++) { bytes[i] = data.charCodeAt(i) & 255; }
      send(state, bytes);
    });
    term.onResize(function (size) { control(state, { type: 'resize', cols: size.cols, rows: size.rows }); });
    state.observer = new ResizeObserver(function () { fit(state); });
    state.observer.observe(screen);
    fit(state);
    term.focus();
    connect(state);
    return id;
  }

  function fit(state) {
    try { state.fit.fit(); } catch (e) { /* hidden (another tab): fitted when shown */ }
  }

  function send(state, bytes) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(bytes);
    }
  }

  function control(state, message) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify(message));
    }
  }

  function say(state, text) {
    state.status.textContent = text || '';
  }

  async function connect(state) {
    if (state.ended) { return; }
    var t;
    try {
      t = await ticket(state.serverId);
    } catch (e) {
      if (e.status === 404 || e.status === 401 || e.status === 403) {
        end(state, e.message);
      } else {
        retry(state);
      }
      return;
    }
    var scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    var url = scheme + '//' + location.host + '/api/servers/' + state.serverId + '/terminal?ticket=' + encodeURIComponent(t)
      + '&cols=' + state.term.cols + '&rows=' + state.term.rows
      + (state.session ? '&resume=' + encodeURIComponent(state.session) : '');
    var socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    state.socket = socket;
    var resuming = !!state.session;
    socket.onmessage = function (event) {
      if (typeof event.data !== 'string') {
        state.term.write(new Uint8Array(event.data));
        return;
      }
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === 'session') {
        if (resuming) {
          // The replay of the recent output follows: start from a clean screen.
          state.term.reset();
        }
        state.session = message.id;
        state.attempts = 0;
        say(state, '');
        control(state, { type: 'resize', cols: state.term.cols, rows: state.term.rows });
      } else if (message.type === 'exit') {
        end(state, state.texts.exited.replace('{0}', message.code));
      } else if (message.type === 'closed') {
        end(state, message.reason);
      }
    };
    socket.onclose = function () {
      if (state.socket === socket && !state.ended) {
        retry(state);
      }
    };
  }

  // The connection was lost: the shell waits on the server for the grace period; come back to it.
  function retry(state) {
    if (state.ended) { return; }
    state.socket = null;
    state.attempts++;
    say(state, state.texts.reconnecting);
    state.term.write('\r\n\x1b[33m' + state.texts.reconnecting + '\x1b[0m\r\n');
    var delay = Math.min(10000, 500 * Math.pow(2, Math.min(state.attempts - 1, 5)));
    state.reconnectTimer = setTimeout(function () { connect(state); }, delay);
  }

  function end(state, reason) {
    if (state.ended) { return; }
    state.ended = true;
    say(state, reason);
    state.term.write('\r\n\x1b[31m' + reason + '\x1b[0m\r\n');
    if (state.socket) { try { state.socket.close(); } catch (e) { /* closed */ } }
    state.socket = null;
  }

  // Closes a terminal: its shell is ended on the server (no process lives on), its element removed.
  function closeTerminal(id, byUser) {
    var state = terminals[id];
    if (!state) { return; }
    delete terminals[id];
    clearTimeout(state.reconnectTimer);
    control(state, { type: 'close' });
    state.ended = true;
    if (state.socket) {
      var socket = state.socket;
      setTimeout(function () { try { socket.close(); } catch (e) { /* closed */ } }, 200);
    }
    state.observer.disconnect();
    state.term.dispose();
    state.frame.remove();
    if (byUser && state.dotnet) {
      state.dotnet.invokeMethodAsync('TerminalClosed', id);
    }
  }

  window.berthTerminal = {
    open: open,
    close: function (id) { closeTerminal(id, false); },
    fitAll: function () { Object.keys(terminals).forEach(function (k) { fit(terminals[k]); }); }
  };
})();
