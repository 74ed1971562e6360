import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { MOBILE_SCOPE } from "@insights/contracts/mobile";
import { reportSkip } from "@insights/store/testing";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_ARGS, ensureChromium } from "../../support/chromium.js";
import { startTestApp, type TestApp } from "../../support/harness.js";

const LUIS = "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001";
/** Kept after the run (the .vitest folder is git-ignored). */
const SCREENSHOT = fileURLToPath(new URL("../../../.vitest/artifacts/docs.png", import.meta.url));

const browserAvailable = await ensureChromium();
const skipReason = "skipReason" in browserAvailable ? browserAvailable.skipReason : undefined;
if (skipReason) reportSkip("browser test of /docs", skipReason);

describe.skipIf(skipReason !== undefined)(`/docs in a real browser${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startTestApp();
    browser = await chromium.launch({ executablePath: "path" in browserAvailable ? browserAvailable.path : "", headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("finds the mobile overview, tries it out with a token and sees a 200", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    const token = await app.token({ scopes: [MOBILE_SCOPE] });

    await page.goto(`${app.url}/docs`);
    const operation = page.locator("#operations-mobile-getCustomerOverview");
    await operation.waitFor({ timeout: 15_000 });

    // Authorize with the bearer token, through the page's own dialog.
    await page.locator(".auth-wrapper .authorize").click();
    const dialog = page.locator(".dialog-ux");
    const bearer = dialog.locator("form").filter({ hasText: "bearerToken (http, Bearer)" });
    await bearer.locator("input").fill(token);
    await bearer.locator("button.authorize").click();
    await dialog.locator("button.btn-done").first().click();

    await operation.locator(".opblock-summary").first().click();
    await operation.locator(".try-out__btn").click();
    await operation.locator('input[placeholder="customerId"]').fill(LUIS);
    await operation.locator("button.execute").click();

    const status = operation.locator(".live-responses-table .response .response-col_status").first();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain("200");
    const body = await operation.locator(".live-responses-table .response-col_description pre").first().textContent();
    expect(body).toContain("Luis Diaz Salinas");

    await mkdir(fileURLToPath(new URL("../../../.vitest/artifacts/", import.meta.url)), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    expect(problems).toEqual([]);
  }, 60_000);
});
