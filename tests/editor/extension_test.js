#!/usr/bin/env node
// Headless test of the Rubric VS Code extension's manifest (editors/vscode/package.json) and
// client (editors/vscode/extension.js). VS Code itself is not needed: the `vscode` module and
// vscode-languageclient are replaced by small fakes that record what the extension asks of them,
// so this test needs no node_modules.
//
//   node tests/editor/extension_test.js
//
// Exit status: 0 all passed, 1 some failed (each failure is listed).
'use strict';

const fs = require('fs');
const Module = require('module');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const EXTENSION_DIR = path.join(ROOT, 'editors', 'vscode');
const EXTENSION = path.join(EXTENSION_DIR, 'extension.js');

const failures = [];
let checks = 0;
function check(condition, message) {
  checks += 1;
  if (!condition) {
    failures.push(message);
  }
}

// ---- The manifest ----------------------------------------------------------------------------

function checkManifest() {
  const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, 'package.json'), 'utf8'));
  check(manifest.name === 'rubric', 'package.json: name is not `rubric`');
  check(manifest.publisher === 'rubric', 'package.json: publisher is not `rubric`');
  check(manifest.version === '0.1.0', 'package.json: version is not 0.1.0');
  check(manifest.engines && manifest.engines.vscode === '^1.82.0', 'package.json: engines.vscode is not ^1.82.0');
  check(fs.existsSync(path.join(EXTENSION_DIR, manifest.main || '')), `package.json: main \`${manifest.main}\` does not exist`);
  check((manifest.activationEvents || []).includes('onLanguage:rubric'), 'package.json: no activation event onLanguage:rubric');
  const contributes = manifest.contributes || {};
  const language = (contributes.languages || []).find((l) => l.id === 'rubric');
  check(language !== undefined, 'package.json: no language `rubric`');
  if (language) {
    check((language.extensions || []).includes('.rubric'), 'package.json: language `rubric` does not claim `.rubric`');
    check(fs.existsSync(path.join(EXTENSION_DIR, language.configuration || '')), 'package.json: the language configuration file does not exist');
  }
  const grammar = (contributes.grammars || []).find((g) => g.language === 'rubric');
  check(grammar !== undefined && grammar.scopeName === 'source.rubric', 'package.json: no grammar source.rubric for language `rubric`');
  if (grammar) {
    const file = path.join(EXTENSION_DIR, grammar.path || '');
    check(fs.existsSync(file), `package.json: grammar \`${grammar.path}\` does not exist`);
    if (fs.existsSync(file)) {
      check(JSON.parse(fs.readFileSync(file, 'utf8')).scopeName === 'source.rubric', `${grammar.path}: scopeName is not source.rubric`);
    }
  }
  const properties = (contributes.configuration || {}).properties || {};
  check(properties['rubric.server.path'] && properties['rubric.server.path'].default === 'rubric', 'package.json: setting rubric.server.path (default "rubric") missing');
  check(properties['rubric.trace.server'] && properties['rubric.trace.server'].default === 'off', 'package.json: setting rubric.trace.server (default "off") missing');
  check((contributes.commands || []).some((c) => c.command === 'rubric.restartServer'), 'package.json: command rubric.restartServer is not contributed');
  check(/^\^9\./.test((manifest.dependencies || {})['vscode-languageclient'] || ''), 'package.json: dependency vscode-languageclient ^9 missing');
  check(((manifest.devDependencies || {})['@vscode/vsce'] || '') !== '', 'package.json: devDependency @vscode/vsce missing');
  const restricted = (((manifest.capabilities || {}).untrustedWorkspaces || {}).restrictedConfigurations) || [];
  check(restricted.includes('rubric.server.path'), 'package.json: rubric.server.path is not restricted in untrusted workspaces');
}

// ---- The client, with fake `vscode` and vscode-languageclient modules ----------------------

function fakeVscode({ settings = {}, workspaceFolder } = {}) {
  const record = { errors: [], executed: [], commands: {}, configurationListeners: [], clients: [] };
  const vscode = {
    workspace: {
      workspaceFolders: workspaceFolder ? [{ uri: { scheme: 'file', fsPath: workspaceFolder } }] : undefined,
      getConfiguration: (section) => ({
        get: (key, fallback) => {
          const value = settings[`${section}.${key}`];
          return value === undefined ? fallback : value;
        },
      }),
      onDidChangeConfiguration: (listener) => {
        record.configurationListeners.push(listener);
        return { dispose() {} };
      },
    },
    window: {
      createOutputChannel: (name) => ({ name, append() {}, appendLine() {}, dispose() {} }),
      showErrorMessage: (message) => {
        record.errors.push(message);
        return Promise.resolve(undefined);
      },
    },
    commands: {
      registerCommand: (id, callback) => {
        record.commands[id] = callback;
        return { dispose() {} };
      },
      executeCommand: (...args) => {
        record.executed.push(args);
        return Promise.resolve();
      },
    },
  };
  return { vscode, record };
}

function fakeLanguageClientModule(record, { failStart = false } = {}) {
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
      record.clients.push(this);
    }
    start() {
      if (failStart) {
        return Promise.reject(new Error('spawn EACCES'));
      }
      this.started = true;
      return Promise.resolve();
    }
    stop() {
      this.stopped = true;
      return Promise.resolve();
    }
  }
  return { LanguageClient };
}

// Loads a fresh copy of extension.js that sees the fakes instead of the real modules.
function loadExtension(vscode, languageClient) {
  const originalLoad = Module._load;
  Module._load = function load(request, parent, isMain) {
    if (request === 'vscode') {
      return vscode;
    }
    if (request === 'vscode-languageclient/node') {
      return languageClient;
    }
    return originalLoad.call(this, request, parent, isMain);
  };
  try {
    delete require.cache[require.resolve(EXTENSION)];
    return require(EXTENSION);
  } finally {
    Module._load = originalLoad;
  }
}

function context() {
  return { subscriptions: [] };
}

function makeExecutable(dir, name, mode = 0o755) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, '#!/bin/sh\nexit 0\n');
  fs.chmodSync(file, mode);
  return file;
}

async function withPath(value, body) {
  const saved = process.env.PATH;
  process.env.PATH = value;
  try {
    return await body();
  } finally {
    process.env.PATH = saved;
  }
}

async function checkClient() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rubric-extension-test-'));
  try {
    const emptyDir = path.join(tmp, 'empty');
    fs.mkdirSync(emptyDir);
    const binDir = path.join(tmp, 'bin');
    const rubric = makeExecutable(binDir, 'rubric');

    // Not found on PATH: a clear message naming the setting, and no client.
    await withPath(emptyDir, async () => {
      const { vscode, record } = fakeVscode();
      const extension = loadExtension(vscode, fakeLanguageClientModule(record));
      await extension.activate(context());
      check(record.clients.length === 0, 'not found: a client was started anyway');
      check(record.errors.length === 1, `not found: expected one error message, got ${record.errors.length}`);
      const message = record.errors[0] || '';
      check(message.includes('`rubric`') && message.includes('rubric.server.path') && message.includes('not found'),
        `not found: the message does not name the executable and the setting: ${message}`);
      await extension.deactivate();
    });

    // Found on PATH: `<path> lsp` over stdio for file and untitled rubric documents.
    await withPath([emptyDir, binDir].join(path.delimiter), async () => {
      const { vscode, record } = fakeVscode();
      const extension = loadExtension(vscode, fakeLanguageClientModule(record));
      const ctx = context();
      await extension.activate(ctx);
      check(record.errors.length === 0, `on PATH: unexpected error: ${record.errors[0]}`);
      check(record.clients.length === 1, 'on PATH: no client was created');
      const client = record.clients[0];
      if (client) {
        check(client.id === 'rubric', `on PATH: the client id is \`${client.id}\`, not \`rubric\` (the trace setting is read from <id>.trace.server)`);
        check(client.serverOptions.command === rubric, `on PATH: the command is \`${client.serverOptions.command}\`, not \`${rubric}\``);
        check(JSON.stringify(client.serverOptions.args) === '["lsp"]', `on PATH: the arguments are ${JSON.stringify(client.serverOptions.args)}, not ["lsp"]`);
        check(client.serverOptions.transport === undefined, 'on PATH: a transport is set (vscode-languageclient would add --stdio to the arguments)');
        const selector = JSON.stringify(client.clientOptions.documentSelector);
        check(selector.includes('{"scheme":"file","language":"rubric"}') && selector.includes('{"scheme":"untitled","language":"rubric"}'),
          `on PATH: the document selector is ${selector}`);
        check(client.started, 'on PATH: the client was not started');
      }
      check(typeof record.commands['rubric.restartServer'] === 'function', 'the command rubric.restartServer is not registered');
      check(ctx.subscriptions.length >= 3, 'activate did not register its disposables');

      // A change of rubric.server.path restarts the server.
      for (const listener of record.configurationListeners) {
        await listener({ affectsConfiguration: (section) => section === 'rubric.server.path' });
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
      check(record.clients.length === 2 && client.stopped && record.clients[1].started,
        'a change of rubric.server.path did not stop the server and start a new one');

      await extension.deactivate();
      check(record.clients.every((c) => c.stopped), 'deactivate did not stop the client');
    });

    // An absolute path, a path relative to the workspace folder, and `~/`.
    await withPath(emptyDir, async () => {
      const { vscode, record } = fakeVscode({ settings: { 'rubric.server.path': rubric } });
      const extension = loadExtension(vscode, fakeLanguageClientModule(record));
      await extension.activate(context());
      check(record.clients.length === 1 && record.clients[0].serverOptions.command === rubric, 'an absolute rubric.server.path is not used');
      await extension.deactivate();
    });
    await withPath(emptyDir, async () => {
      const { vscode, record } = fakeVscode({ settings: { 'rubric.server.path': 'bin/rubric' }, workspaceFolder: tmp });
      const extension = loadExtension(vscode, fakeLanguageClientModule(record));
      await extension.activate(context());
      check(record.clients.length === 1 && record.clients[0].serverOptions.command === rubric,
        'a rubric.server.path relative to the workspace folder is not resolved from it');
      await extension.deactivate();
    });
    const { resolveServerPath } = loadExtension(fakeVscode().vscode, fakeLanguageClientModule(fakeVscode().record));
    if (process.platform !== 'win32') {
      const savedHome = process.env.HOME;
      process.env.HOME = tmp; // os.homedir() reads HOME
      try {
        check(resolveServerPath('~/bin/rubric', undefined, '') === rubric, 'a `~/` path is not resolved from the home folder');
      } finally {
        process.env.HOME = savedHome;
      }
    }

    // A file that is not executable, and a missing one, are not found (the message names them).
    if (process.platform !== 'win32') {
      const plain = makeExecutable(path.join(tmp, 'plain'), 'rubric', 0o644);
      check(resolveServerPath(plain, undefined, '') === undefined, 'a file without execute permission is taken as the server');
      check(resolveServerPath('rubric', undefined, path.dirname(plain)) === undefined, 'a PATH entry without execute permission is taken as the server');
    }
    await withPath(emptyDir, async () => {
      const missing = path.join(tmp, 'nowhere', 'rubric');
      const { vscode, record } = fakeVscode({ settings: { 'rubric.server.path': missing } });
      const extension = loadExtension(vscode, fakeLanguageClientModule(record));
      await extension.activate(context());
      check(record.clients.length === 0 && (record.errors[0] || '').includes(missing) && (record.errors[0] || '').includes('rubric.server.path'),
        `a missing rubric.server.path: expected an error naming it, got ${JSON.stringify(record.errors)}`);
    });

    // A server that fails to start: an error naming the command and the setting.
    await withPath(binDir, async () => {
      const { vscode, record } = fakeVscode();
      const extension = loadExtension(vscode, fakeLanguageClientModule(record, { failStart: true }));
      await extension.activate(context());
      const message = record.errors[0] || '';
      check(message.includes(`${rubric} lsp`) && message.includes('spawn EACCES') && message.includes('rubric.server.path'),
        `a failed start: the message does not name the command, the reason and the setting: ${message}`);
      await extension.deactivate();
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  checkManifest();
  await checkClient();
  console.log(`extension: ${checks} checks`);
  if (failures.length > 0) {
    console.log(`FAILED: ${failures.length} problem${failures.length === 1 ? '' : 's'}:`);
    for (const failure of failures) {
      console.log(`  - ${failure}`);
    }
    return 1;
  }
  console.log('PASSED');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error && error.stack ? error.stack : String(error));
    process.exit(1);
  },
);
