// lab_test.mjs runs one chapter in JupyterLab, in headless Chromium, and checks what a reader
// sees there: no cell fails, no error-looking stderr box (the backend line at most once), every
// figure fits the width of its output area, and each cell's figures and text come in the order
// the cell's program made them. Screenshots of the notebook and of each figure go to build/lab/.
//
//	node tools/lab/lab_test.mjs [--nb 04] [--timeout 900]      (what `make lab-test` runs)
//
// JupyterLab is started on a free port with a random token, on a copy of notebooks/ inside
// build/lab/ (the notebooks find the repository by its go.mod), with GODL_QUICK=1, and with user
// settings of its own: no news pop-up, and every cell kept in the page so it can be measured.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = path.join(REPO, "build", "lab");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const WINDOW = { width: 1400, height: 1000 };

function parseArgs(argv) {
  const args = { nb: "04", timeout: 900 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--nb" && value) args.nb = value;
    else if (flag === "--timeout" && Number(value) > 0) args.timeout = Number(value);
    else throw new Error(`lab_test: unknown or incomplete argument ${flag} (use --nb NN, --timeout SECONDS)`);
  }
  return args;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// writeSettings gives JupyterLab user settings of its own, so a reader's settings don't change
// the test and the test doesn't change them.
function writeSettings(dir) {
  const settings = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
      { fetchNews: "false", checkForUpdates: false },
    // Keep every cell in the page: the default lets the browser skip laying out cells out of
    // view, and those would measure as 0 pixels wide.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": { windowingMode: "none" },
  };
  for (const [file, value] of Object.entries(settings)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), JSON.stringify(value));
  }
}

async function startLab(work, port, token) {
  const settings = path.join(work, "settings");
  writeSettings(settings);
  const args = ["-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${port}`, "--ServerApp.port_retries=0", `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${path.join(work, "notebooks")}`, "--LabApp.expose_app_in_browser=True"];
  if (process.getuid?.() === 0) args.push("--allow-root"); // containers and CI run as root
  const log = fs.openSync(path.join(OUT, "jupyterlab.log"), "w");
  const lab = spawn(path.join(REPO, ".venv", "bin", "python"), args, {
    cwd: work, stdio: ["ignore", log, log], detached: true,
    env: {
      ...process.env, GODL_QUICK: "1", JUPYTERLAB_SETTINGS_DIR: settings,
      JUPYTERLAB_WORKSPACES_DIR: path.join(work, "workspaces"),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 250) {
    if (lab.exitCode !== null) throw new Error(`lab_test: JupyterLab exited with ${lab.exitCode}; see ${OUT}/jupyterlab.log`);
    try {
      const res = await fetch(`${url}/api/status?token=${token}`);
      if (res.ok) return { lab, url };
    } catch { /* not listening yet */ }
    if (waited > 60_000) throw new Error(`lab_test: JupyterLab did not answer in 60 s; see ${OUT}/jupyterlab.log`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// outputsOf returns, for every code cell of the open notebook, its source, execution count and
// outputs as nbformat JSON, read from JupyterLab's own model.
function outputsOf(page) {
  return page.evaluate(() => {
    const nb = window.jupyterapp.shell.currentWidget.content;
    return nb.widgets.filter((c) => c.model.type === "code").map((c) => ({
      source: c.model.sharedModel.getSource(),
      count: c.model.executionCount,
      outputs: c.model.outputs.toJSON(),
    }));
  });
}

// figureBoxes measures every figure on the page against the output area that holds it.
function figureBoxes(page) {
  return page.evaluate(() => {
    const boxes = [];
    const cells = [...document.querySelectorAll(".jp-Notebook .jp-CodeCell")];
    cells.forEach((cell, i) => {
      for (const out of cell.querySelectorAll(".jp-OutputArea-output")) {
        for (const fig of out.querySelectorAll("svg, img")) {
          if (fig.parentElement.closest("svg")) continue; // an <image> inside a figure
          const f = fig.getBoundingClientRect(), o = out.getBoundingClientRect();
          boxes.push({
            cell: i, tag: fig.tagName.toLowerCase(), mime: out.dataset.mimeType || "",
            width: f.width, height: f.height, left: f.left - o.left, right: f.right - o.left,
            area: out.clientWidth, natural: Number(fig.getAttribute("width")) || fig.naturalWidth || 0,
            overflows: out.scrollWidth > out.clientWidth + 1,
          });
        }
      }
    });
    return boxes;
  });
}

const FIGURE_MIMES = ["image/svg+xml", "image/png"];
const isFigure = (o) => (o.output_type === "display_data" || o.output_type === "execute_result") &&
  FIGURE_MIMES.some((m) => m in (o.data || {}));
const textOf = (o) => (Array.isArray(o.text) ? o.text.join("") : o.text || "");
const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const unquote = (s) => s.replace(/\\(.)/g, (_, c) => ({ n: "\n", t: "\t" })[c] ?? c);

// linePatterns returns a regex for each line that Go source prints with pkg/check or fmt: a
// check's "✓ name:" line, a Printf format's lines (literal text as it is, each verb as any
// text), a Println's first string. Lines made of verbs alone would match anything: left out.
export function linePatterns(source) {
  const patterns = [];
  for (const m of source.matchAll(/\bcheck\.\w+(?:\[[^\]]*\])?\(\s*"((?:[^"\\]|\\.)*)"/g)) {
    patterns.push(new RegExp(`^✓ ${escapeRegex(unquote(m[1]))}:`));
  }
  for (const m of source.matchAll(/\bfmt\.Print(f|ln)?\(\s*"((?:[^"\\]|\\.)*)"/g)) {
    const text = unquote(m[2]);
    if (m[1] !== "f") {
      if (text.trim()) patterns.push(new RegExp(`^${escapeRegex(text.split("\n")[0])}`));
      continue;
    }
    for (const line of text.split("\n")) {
      const tokens = line.match(/%%|%[-+# 0]*\d*(?:\.\d*)?[a-zA-Z]|[^%]+/g) || [];
      if (!tokens.some((t) => !t.startsWith("%") || t === "%%")) continue;
      patterns.push(new RegExp("^" + tokens.map((t) => (t === "%%" ? "%" : t.startsWith("%") ? ".*?" : escapeRegex(t))).join("") + "$"));
    }
  }
  return patterns;
}

// orderProblems checks one cell's outputs against its source: the lines the source prints after
// its last Display must come after the last figure, those it prints before its first Display
// before the first figure. (Text printed by library calls, such as Fit's epoch lines, is not
// checked: nothing in the cell's source names it.)
export function orderProblems(cell, where) {
  const displays = [...cell.source.matchAll(/\.Display\(\)/g)].map((m) => m.index);
  if (!displays.length) return [];
  const items = [];
  for (const o of cell.outputs) {
    if (isFigure(o)) items.push({ figure: true });
    else if (o.output_type === "stream" && o.name === "stdout") {
      for (const line of textOf(o).split("\n")) if (line.trim()) items.push({ line });
    }
  }
  const first = items.findIndex((it) => it.figure), last = items.findLastIndex((it) => it.figure);
  if (first < 0) return [`${where}: displays no figure`];
  const before = linePatterns(cell.source.slice(0, displays[0]));
  const after = linePatterns(cell.source.slice(displays.at(-1)));
  const problems = [];
  items.forEach((it, i) => {
    if (it.figure) return;
    const isBefore = before.some((p) => p.test(it.line)), isAfter = after.some((p) => p.test(it.line));
    if (isAfter && !isBefore && i < last) problems.push(`${where}: "${it.line}" comes before the figure it follows in the program`);
    if (isBefore && !isAfter && i > first) problems.push(`${where}: "${it.line}" comes after the figure it precedes in the program`);
  });
  return problems;
}

// check returns the problems a reader would see in the executed cells.
export function check(cells, boxes) {
  const problems = [];
  let backendLines = 0;
  cells.forEach((cell, i) => {
    const where = `code cell ${i + 1} (${cell.source.trim().split("\n").find((l) => l && !l.startsWith("%")) || ""})`;
    if (cell.count == null) problems.push(`${where}: not executed`);
    for (const o of cell.outputs) {
      if (o.output_type === "error") problems.push(`${where}: error ${o.ename}: ${o.evalue}`);
      if (o.output_type === "stream" && o.name === "stderr") {
        for (const line of textOf(o).split("\n").filter((l) => l.trim())) {
          if (line.startsWith("godl: backend ")) backendLines++;
          else problems.push(`${where}: stderr box: ${line.slice(0, 200)}`);
        }
      }
    }
    problems.push(...orderProblems(cell, where));
  });
  if (backendLines > 1) problems.push(`the "godl: backend" line shows ${backendLines} times, want at most once`);
  for (const b of boxes) {
    if (b.width < 1) problems.push(`code cell ${b.cell + 1}: a figure (${b.tag}) is not laid out`);
    else if (b.left < -1 || b.right > b.area + 1 || b.overflows) {
      problems.push(`code cell ${b.cell + 1}: a figure ${Math.round(b.width)} px wide (drawn ${b.natural} px) ` +
        `overflows its ${b.area}-px output area`);
    }
  }
  return problems;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  fs.mkdirSync(OUT, { recursive: true });
  const names = fs.readdirSync(path.join(REPO, "notebooks")).filter((n) => n.endsWith(".ipynb"));
  const name = names.find((n) => n.startsWith(args.nb));
  if (!name) throw new Error(`lab_test: no notebook in notebooks/ starts with ${args.nb}`);

  const work = fs.mkdtempSync(path.join(OUT, "run-"));
  fs.cpSync(path.join(REPO, "notebooks"), path.join(work, "notebooks"), { recursive: true });
  const token = randomBytes(24).toString("hex");
  const { lab, url } = await startLab(work, await freePort(), token);
  let browser;
  const start = Date.now();
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: process.getuid?.() === 0 ? ["--no-sandbox"] : [],
    });
    const page = await browser.newPage({ viewport: WINDOW });
    await page.goto(`${url}/lab/tree/${encodeURIComponent(name)}?token=${token}`);
    try {
      await page.waitForFunction(() => {
        const w = window.jupyterapp?.shell?.currentWidget;
        // GoNB reports no status until it runs something: wait for the connection only.
        return w?.sessionContext?.session?.kernel?.connectionStatus === "connected" &&
          w.content?.widgets?.length > 0;
      }, null, { timeout: 120_000 });
    } catch (e) {
      await page.screenshot({ path: path.join(OUT, `${args.nb}-not-ready.png`) });
      const state = await page.evaluate(() => {
        const w = window.jupyterapp?.shell?.currentWidget;
        return `app: ${!!window.jupyterapp}, widget: ${w?.constructor?.name}, ` +
          `kernel: ${w?.sessionContext?.session?.kernel?.connectionStatus}`;
      });
      throw new Error(`lab_test: ${name} did not open with an idle kernel (${state}): ${e.message}`);
    }
    console.log(`lab_test: ${name} open in JupyterLab ${await page.evaluate(() => window.jupyterapp.version)}, ` +
      `kernel connected after ${((Date.now() - start) / 1000).toFixed(1)} s; running all cells`);

    // The command's promise settles when the last cell has run, or a cell's error stopped the run.
    let timer;
    await Promise.race([
      page.evaluate(() => window.jupyterapp.commands.execute("notebook:run-all-cells")),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`lab_test: ${name} still running after ${args.timeout} s`)),
          args.timeout * 1000);
      }),
    ]).finally(() => clearTimeout(timer));
    const ran = (Date.now() - start) / 1000;
    await page.waitForTimeout(500); // let the last outputs render

    const cells = await outputsOf(page);
    const boxes = await figureBoxes(page);
    await page.screenshot({ path: path.join(OUT, `${args.nb}-after-run.png`) });
    const figureCells = await page.locator(".jp-Notebook .jp-CodeCell").all();
    const shot = new Set(boxes.map((b) => b.cell));
    for (const i of shot) {
      await figureCells[i].scrollIntoViewIfNeeded();
      await figureCells[i].screenshot({ path: path.join(OUT, `${args.nb}-code-cell${String(i + 1).padStart(2, "0")}.png`) });
    }
    fs.writeFileSync(path.join(OUT, `${args.nb}-outputs.json`), JSON.stringify({ cells, boxes }, null, 1));

    const problems = check(cells, boxes);
    console.log(`lab_test: ${cells.length} code cells, ${boxes.length} figures measured, ` +
      `run in ${ran.toFixed(1)} s; screenshots in ${path.relative(REPO, OUT)}/`);
    if (problems.length) {
      console.log(problems.map((p) => `✗ ${p}`).join("\n"));
      process.exitCode = 1;
    } else {
      console.log("✓ no failed cell, no stderr box, every figure fits its output area, outputs in program order");
    }
  } finally {
    await browser?.close();
    const exited = new Promise((r) => (lab.exitCode !== null ? r() : lab.once("exit", r)));
    try { process.kill(-lab.pid, "SIGTERM"); } catch { /* already gone */ }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e.message || e);
    process.exit(1);
  });
}
