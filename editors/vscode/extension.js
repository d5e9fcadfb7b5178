// The Rubric extension's client: starts the Rubric language server (`rubric lsp`, LSP over
// standard input and output) for `.rubric` documents, and stops it when VS Code unloads the
// extension. Plain CommonJS, so the extension needs no build step. Syntax highlighting comes
// from syntaxes/rubric.tmLanguage.json and works without the server.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

const SERVER_PATH_SETTING = 'rubric.server.path';

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel | undefined} */
let outputChannel;

function isExecutableFile(file) {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

// The candidates for `file` on this platform: on Windows also `file.exe`, `file.cmd`, ...
function withExecutableSuffixes(file) {
  if (process.platform !== 'win32' || path.extname(file) !== '') {
    return [file];
  }
  const suffixes = (process.env.PATHEXT || '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  return [file, ...suffixes.map((suffix) => file + suffix.toLowerCase())];
}

// The absolute path of the executable that `configured` names, or undefined when there is
// none: a bare name is looked up on PATH, `~/...` is taken from the home folder, and any
// other relative path from `baseDir` (the first workspace folder).
function resolveServerPath(configured, baseDir, searchPath = process.env.PATH || '') {
  let name = configured.trim();
  if (name === '') {
    return undefined;
  }
  if (name === '~' || name.startsWith('~/') || name.startsWith('~\\')) {
    name = path.join(os.homedir(), name.slice(1));
  }
  const hasSeparator = name.includes('/') || (process.platform === 'win32' && name.includes('\\'));
  if (path.isAbsolute(name) || hasSeparator) {
    const file = path.resolve(baseDir || process.cwd(), name);
    return withExecutableSuffixes(file).find(isExecutableFile);
  }
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') {
      continue;
    }
    const found = withExecutableSuffixes(path.join(dir, name)).find(isExecutableFile);
    if (found) {
      return found;
    }
  }
  return undefined;
}

function firstWorkspaceFolder() {
  const folders = vscode.workspace.workspaceFolders;
  return folders && folders.length > 0 && folders[0].uri.scheme === 'file'
    ? folders[0].uri.fsPath
    : undefined;
}

function showServerNotFound(configured) {
  const message =
    `Rubric: cannot start the language server: the executable \`${configured}\` was not found` +
    (configured.includes('/') || configured.includes('\\') ? '' : ' on PATH') +
    `. Install Rubric, or set \`${SERVER_PATH_SETTING}\` to the path of the \`rubric\` ` +
    'executable (the extension runs `<path> lsp`). Syntax highlighting works without it.';
  vscode.window.showErrorMessage(message, 'Open Settings').then((choice) => {
    if (choice === 'Open Settings') {
      vscode.commands.executeCommand('workbench.action.openSettings', SERVER_PATH_SETTING);
    }
  });
}

async function startClient() {
  const configured = vscode.workspace.getConfiguration('rubric').get('server.path', 'rubric');
  const command = resolveServerPath(String(configured), firstWorkspaceFolder());
  if (command === undefined) {
    showServerNotFound(String(configured));
    return;
  }

  // No `transport` on purpose: vscode-languageclient would append `--stdio` to the arguments;
  // without one it talks over the process's standard streams with exactly `<path> lsp`.
  const serverOptions = { command, args: ['lsp'] };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'rubric' },
      { scheme: 'untitled', language: 'rubric' },
    ],
    outputChannel,
  };
  // The id `rubric` makes the client read its trace level from `rubric.trace.server`.
  const newClient = new LanguageClient('rubric', 'Rubric Language Server', serverOptions, clientOptions);
  client = newClient;
  try {
    await newClient.start();
  } catch (error) {
    if (client === newClient) {
      client = undefined;
    }
    const reason = error instanceof Error ? error.message : String(error);
    vscode.window.showErrorMessage(
      `Rubric: the language server \`${command} lsp\` failed to start: ${reason}. ` +
        `Check \`${SERVER_PATH_SETTING}\` (the \`rubric\` executable must support \`rubric lsp\`).`,
    );
  }
}

async function stopClient() {
  const running = client;
  client = undefined;
  if (running !== undefined) {
    try {
      await running.stop();
    } catch {
      // The server may already be gone (it crashed, or never started): nothing left to stop.
    }
  }
}

async function restartClient() {
  await stopClient();
  await startClient();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  outputChannel = vscode.window.createOutputChannel('Rubric Language Server');
  context.subscriptions.push(outputChannel);
  context.subscriptions.push(vscode.commands.registerCommand('rubric.restartServer', restartClient));
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SERVER_PATH_SETTING)) {
        restartClient();
      }
    }),
  );
  await startClient();
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate, resolveServerPath };
