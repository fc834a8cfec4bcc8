// Drives the dashboard in headless Chromium (Debian's, through playwright-core) as an operator
// would, and prints one "ok - ..." or "FAIL - ...: why" line per check.
// Usage: node drive.js URL TOKEN PREFIX SCREENSHOT_DIR   (PREFIX: the queues of this run)
"use strict";
const [url, token, prefix, shots] = process.argv.slice(2);
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

function check(what, ok, detail) {
  console.log(ok ? `ok - ${what}` : `FAIL - ${what}: ${detail}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, seconds, f) {
  const end = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < end) {
    last = await f();
    if (last) return last;
    await sleep(200);
  }
  return last;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    const mail = `${prefix}-mail`, dead = `${prefix}-dead`;
    const row = (name) => page.locator(`#queues tr[data-name="${name}"]`);
    const cellText = async (name, column) =>
      (await row(name).locator("td").nth(column).textContent()) || "";

    const shown = await until("rows", 10, async () => (await row(mail).count()) === 1 && (await row(dead).count()) === 1);
    check("the page lists the queues the PHP producer made", shown, "rows for " + mail + " and " + dead + " missing");

    // The producer is running: the enqueue rate goes above zero and the chart has a line.
    const rate = await until("rate", 15, async () => parseFloat(await cellText(mail, 8)) > 0 && cellText(mail, 8));
    check("the enqueue rate moves while the producer runs", !!rate, "enqueued/s stayed 0");
    await row(mail).click();
    const chartBefore = await page.evaluate(() => fetch(document.getElementById("chart").src).then((r) => r.text()));
    await sleep(2500);
    const chartAfter = await page.evaluate(() => fetch(document.getElementById("chart").src.replace(/t=\d+/, "t=" + Date.now())).then((r) => r.text()));
    check("the chart is drawn and changes as samples come", chartBefore.includes("<polyline") && chartBefore !== chartAfter,
      "the chart's SVG did not change over 2.5 s");
    const preview = await until("preview", 5, async () => (await page.locator("#messages tbody tr").count()) > 0);
    check("the queue's messages are shown with a readable preview", preview &&
      (await page.locator("#messages tbody tr td.preview").first().textContent()).includes("'to' =>"), "no message rows");
    await page.screenshot({ path: `${shots}/dashboard-mail.png` });

    // Dead letters: requeue refused without the token, done with it.
    await row(dead).click();
    await until("dead rows", 5, async () => (await page.locator("#dead tbody tr").count()) === 3);
    check("the dead letters are listed", (await page.locator("#dead tbody tr").count()) === 3,
      (await page.locator("#dead tbody tr").count()) + " rows");
    await page.fill("#token", "");
    await page.dispatchEvent("#token", "change");
    await page.click("button[data-action=requeue-dead]");
    const refused = await until("refused", 5, async () => (await page.textContent("#notice")).includes("needs the server's token"));
    await sleep(500);
    check("requeue without the token is refused and changes nothing",
      refused && (await cellText(dead, 6)) === "3", `notice ${await page.textContent("#notice")}, dead ${await cellText(dead, 6)}`);
    await page.fill("#token", "wrong-token-wrong-token");
    await page.click("button[data-action=requeue-dead]");
    const wrong = await until("wrong", 5, async () => (await page.textContent("#notice")).includes("token is wrong"));
    check("requeue with a wrong token is refused", wrong, await page.textContent("#notice"));
    await page.fill("#token", token);
    await page.click("button[data-action=requeue-dead]");
    const done = await until("done", 5, async () => (await page.textContent("#notice")).includes("requeued 3"));
    const zero = await until("zero", 5, async () => (await cellText(dead, 6)) === "0");
    check("requeue with the token moves the dead letters back", done && zero,
      `notice ${await page.textContent("#notice")}, dead ${await cellText(dead, 6)}`);
    await page.screenshot({ path: `${shots}/dashboard-dead.png`, fullPage: true });

    // Pause stops the running worker (its backlog only grows), resume lets it drain it.
    const work = `${prefix}-work`;
    await until("work row", 10, async () => (await row(work).count()) === 1);
    await row(work).click();
    await page.click("button[data-action=pause]");
    const paused = await until("paused", 15, async () => (await cellText(work, 1)) === "paused");
    const ready = async () => parseInt(await cellText(work, 3), 10);
    await sleep(1500);
    const a = await ready();
    await sleep(2000);
    const b = await ready();
    check("pause stops the running worker (the backlog only grows)", !!paused && b > a,
      `state ${await cellText(work, 1)}, ready ${a} then ${b}`);
    await page.screenshot({ path: `${shots}/dashboard-paused.png` });
    await page.click("button[data-action=resume]");
    const drained = await until("drained", 15, async () => (await cellText(work, 1)) === "running" && (await ready()) < 5);
    check("resume lets the worker go on (the backlog drains)", !!drained, `ready ${await ready()}`);
    check("the page ran without a script error", errors.length === 0, errors.join("; "));
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.log(`FAIL - driving the browser: ${e}`);
  process.exit(1);
});
