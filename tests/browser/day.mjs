// A new user's day in Maestro's web UI, in headless Chromium (Debian's /usr/bin/chromium driven
// by playwright-core): register → create a datacenter and a server with storage, auth, services
// and tags → find the server by search and by filters → edit it → see the change in its history
// → share it with a team member through a team and the "Edit access" dialog (the member sees it,
// a stranger neither finds it nor opens it) → an API token shown once → switch theme → an AWS
// discovery connection (a closed local port as endpoint) with its task table and a task switched
// off. Any browser console error, page error or 5xx answer fails the run (the one 404 the
// stranger is meant to get is expected by URL).
//
//   node day.mjs <base-url> [--screenshots <dir>]
//
// Steps are plain async functions run in order.
import { chromium } from "playwright-core";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const base = (args.find((a) => !a.startsWith("--")) || "").replace(/\/$/, "");
const shotsIdx = args.indexOf("--screenshots");
const shotsDir = shotsIdx >= 0 ? args[shotsIdx + 1] : null;
if (!base) {
  console.error("usage: node day.mjs <base-url> [--screenshots <dir>]");
  process.exit(2);
}

const CHROMIUM = process.env.MAESTRO_CHROMIUM || "/usr/bin/chromium";
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

function check(cond, message) {
  if (!cond) throw new Error(message);
}

async function shot(ctx, name) {
  if (!shotsDir) return;
  await ctx.page.screenshot({ path: join(shotsDir, name + ".png"), fullPage: false });
}

// Rows of a schema-driven list field (storage, auth, services, tags).
async function addRow(page, fieldId) {
  await page.locator(`#${fieldId} > [data-add-row]`).click();
  return page.locator(`#${fieldId} > [data-rows-list] > [data-row]`).last();
}

async function openTab(page, name) {
  await page.getByRole("tab", { name, exact: false }).first().click();
}

async function register(ctx) {
  const { page } = ctx;
  await page.goto(base + "/");
  check(page.url().endsWith("/login"), `a visitor is sent to sign in, got ${page.url()}`);
  await shot(ctx, "sign-in");
  await page.getByRole("link", { name: "Create one" }).click();
  await page.getByLabel("Name").fill(ctx.name);
  await page.getByLabel("E-mail").fill(ctx.email);
  await page.getByLabel("Password", { exact: true }).fill(ctx.password);
  await page.getByLabel("Password again").fill(ctx.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(base + "/");
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  check((await page.textContent(".user")).includes(ctx.name), "the header names the new user");
  await shot(ctx, "dashboard");
}

async function createDatacenter(ctx) {
  const { page } = ctx;
  await page.goto(base + "/datacenters/new");
  await page.locator("#f-name").fill(ctx.dc);
  await page.locator("#f-provider").fill("AWS");
  await openTab(page, "Regions");
  const region = await addRow(page, "f-regions");
  await region.locator("input").fill("us-east-1");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/datacenters\/[0-9a-f-]{36}$/);
  await page.getByRole("heading", { name: ctx.dc }).waitFor();
}

async function createServer(ctx) {
  const { page } = ctx;
  await page.goto(base + "/servers");
  await page.getByRole("link", { name: "New server" }).click();
  await page.locator("#f-name").fill(ctx.host);
  await page.locator("#f-hostname").fill(ctx.host);
  await page.locator("#f-ipv4_private").fill(ctx.ip);
  await page.locator("#f-os-base").fill("Linux");
  await page.locator("#f-os-dist").fill("Debian");
  await page.locator("#f-cpu").fill("4");
  await page.locator("#f-memory").fill("8");
  await page.locator("#f-role").fill("Application");
  await page.locator("#f-environment").fill("Production");

  await openTab(page, "Datacenter");
  await page.locator("#f-datacenters-id-q").fill(ctx.dc);
  const pick = page.locator("#f-datacenters-id-results [data-ref-pick]").first();
  await pick.waitFor();
  await pick.click();
  check(
    await page.evaluate(() => document.activeElement && document.activeElement.id === "f-datacenters-id-q"),
    "after a pick the keyboard is back in the search",
  );
  check(await pick.isDisabled(), "a picked result is marked added");
  await page.locator("#f-datacenters-id [data-ref-item] [data-remove-ref]").first().click();
  check(!(await pick.isDisabled()) && !(await pick.innerText()).includes("added"), "a removed reference is offered again");
  await pick.click();
  await page.locator("#f-datacenters-region").fill("us-east-1");

  await openTab(page, "Storage");
  let row = await addRow(page, "f-storage");
  await row.locator('input[name$=".name"]').fill("/dev/xvda");
  await row.locator('input[name$=".size"]').fill("50");
  await row.locator('input[name$=".mount"]').fill("/");
  await row.locator('input[name$=".ftype"]').fill("ext4");
  await row.locator('input[type=checkbox][name$=".root"]').check();
  row = await addRow(page, "f-storage");
  await row.locator('input[name$=".name"]').fill("/dev/xvdb");
  await row.locator('input[name$=".size"]').fill("200");
  await row.locator('input[name$=".mount"]').fill("/data");
  await row.locator('input[name$=".ftype"]').fill("xfs");
  await row.locator('input[type=checkbox][name$=".lvm"]').check();
  await row.locator('input[name$=".pv"]').fill("pv-data");
  await row.locator('input[name$=".vg"]').fill("vg-data");
  await shot(ctx, "server-form-storage");

  await openTab(page, "Auth");
  row = await addRow(page, "f-auth");
  await row.locator('input[name$=".name"]').fill("ops");
  await row.locator('select[name$=".type"]').selectOption("PKI");
  await row.locator('input[name$=".username"]').fill("ec2-user");
  await row.locator('input[name$=".key"]').fill("master.pem");

  await openTab(page, "Services");
  row = await addRow(page, "f-services");
  await row.locator('input[name$=".name"]').fill("Nginx");
  await row.locator('input[name$=".version"]').fill("1.25");

  await openTab(page, "Tags");
  row = await addRow(page, "f-tags");
  await row.locator('input[name$=".key"]').fill("team");
  await row.locator('input[name$=".value"]').fill("web");

  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/servers\/[0-9a-f-]{36}$/);
  ctx.serverUrl = page.url();
  await page.locator(".flash-ok").filter({ hasText: "created" }).waitFor();
  await openTab(page, "Storage");
  const storage = await page.locator("#tab-storage").textContent();
  check(storage.includes("/dev/xvda") && storage.includes("vg-data"), "the storage tab lists both volumes");
  await openTab(page, "Auth");
  check((await page.locator("#tab-auth").textContent()).includes("ec2-user"), "the auth tab lists ec2-user");
  await openTab(page, "Services");
  check((await page.locator("#tab-services").textContent()).includes("Nginx"), "the services tab lists Nginx");
  await openTab(page, "Datacenter");
  check((await page.locator("#tab-datacenter").textContent()).includes(ctx.dc), "the datacenter tab names the datacenter");
  await openTab(page, "General");
  await shot(ctx, "server-detail");
}

async function expectResult(page, present) {
  const row = page.locator("#results tbody th a", { hasText: present.name });
  if (present.shown) await row.first().waitFor();
  else await page.locator("#results td.empty").waitFor();
}

async function findServer(ctx) {
  const { page } = ctx;
  await page.goto(base + "/servers");
  await page.locator("#list-q").fill(ctx.host);
  await page.waitForURL(/q=/);
  await expectResult(page, { name: ctx.host, shown: true });
  await page.locator("#list-q").fill(ctx.ip);
  await page.waitForURL(new RegExp("q=" + ctx.ip.replace(/\./g, "\\.")));
  await expectResult(page, { name: ctx.host, shown: true });
  await page.locator("#list-q").fill("");
  await page.locator("#f-environment").selectOption("Production");
  await page.waitForURL(/environment=Production/);
  await page.locator("#f-os-base").selectOption("Linux");
  await page.waitForURL(/os\.base=Linux/);
  await expectResult(page, { name: ctx.host, shown: true });
  await shot(ctx, "servers-list");
  await page.locator("#f-environment").selectOption("Staging");
  await page.waitForURL(/environment=Staging/);
  await expectResult(page, { name: ctx.host, shown: false });
  await page.goto(base + "/servers?tag=team%3Dweb");
  await expectResult(page, { name: ctx.host, shown: true });
  await page.getByRole("link", { name: ctx.host }).first().click();
  await page.waitForURL(ctx.serverUrl);
}

async function editServer(ctx) {
  const { page } = ctx;
  await page.goto(ctx.serverUrl);
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await page.locator("#f-cpu").fill("8");
  await openTab(page, "Storage");
  const rows = page.locator("#f-storage > [data-rows-list] > [data-row]");
  check((await rows.count()) === 2, "the form shows both volumes");
  await rows.nth(1).getByRole("button", { name: /Remove/ }).click();
  check((await rows.count()) === 1, "a volume row can be removed");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(ctx.serverUrl);
  await page.locator(".flash-ok").filter({ hasText: "saved" }).waitFor();
  const general = await page.locator("#tab-general").textContent();
  check(/CPU\s*8/.test(general.replace(/\s+/g, " ")), "the server now has 8 CPUs");
  await openTab(page, "Storage");
  check(!(await page.locator("#tab-storage").textContent()).includes("/dev/xvdb"), "the removed volume is gone");
}

async function seeHistory(ctx) {
  const { page } = ctx;
  await page.goto(ctx.serverUrl);
  await openTab(page, "History");
  const history = page.locator("#tab-history");
  await history.locator(".event").first().waitFor();
  const latest = history.locator(".event").first();
  const text = (await latest.textContent()).replace(/\s+/g, " ");
  check(text.includes("update") && text.includes(ctx.name) && text.includes("ui"), `the newest event is the UI update by ${ctx.name}: ${text}`);
  const cpu = latest.locator("tr", { hasText: "cpu" });
  check((await cpu.locator("td.old").textContent()).trim() === "4", "cpu old value is 4");
  check((await cpu.locator("td.new").textContent()).trim() === "8", "cpu new value is 8");
  check((await history.locator(".event").count()) >= 2, "the creation is in the history too");
  await shot(ctx, "server-history");
}

// Sharing: accounts, the account menu, teams and the access dialog.
async function openMenu(page, item) {
  // By keyboard: the account menu is a disclosure in the header.
  await page.locator(".user-menu > summary").focus();
  await page.keyboard.press("Enter");
  const link = page.locator(".user-menu .menu").getByRole(item === "Sign out" ? "button" : "link", { name: item, exact: true });
  await link.waitFor();
  await link.click();
}

async function signOut(page) {
  await openMenu(page, "Sign out");
  await page.waitForURL(/\/login$/);
}

async function signIn(page, email, password) {
  await page.goto(base + "/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(base + "/");
}

async function registerByApi(ctx, name, email) {
  const res = await ctx.page.request.post(base + "/api/v1/auth/register", {
    data: { name, email, password: ctx.password },
  });
  check(res.status() === 201, `register ${name}: ${res.status()}`);
}

async function shareWithTeammate(ctx) {
  const { page } = ctx;
  ctx.member = { name: "Mia Member", email: `mia.${ctx.stamp}@example.com` };
  ctx.stranger = { name: "Sam Stranger", email: `sam.${ctx.stamp}@example.com` };
  await registerByApi(ctx, ctx.member.name, ctx.member.email);
  await registerByApi(ctx, ctx.stranger.name, ctx.stranger.email);
  ctx.team = `ops-${ctx.stamp}`;

  // A team, with the member added by e-mail.
  await openMenu(page, "Teams");
  await page.waitForURL(/\/teams$/);
  await page.locator("#team-name").fill(ctx.team);
  await page.locator("#team-email").fill(`ops.${ctx.stamp}@example.com`);
  await page.getByRole("button", { name: "Create team" }).click();
  await page.waitForURL(/\/teams\/[0-9a-f-]{36}$/);
  ctx.teamUrl = page.url();
  await page.locator("#member-email").fill(ctx.member.email);
  await page.locator("#member-role").selectOption("read");
  await page.getByRole("button", { name: "Add member" }).click();
  await page.locator(".flash-ok", { hasText: "is a member" }).waitFor();
  const members = await page.locator("table.members").textContent();
  check(members.includes(ctx.member.name) && members.includes(ctx.name), "both are members");
  await shot(ctx, "team-page");
  await page.goto(base + "/teams");
  await page.locator("#results, table.list").first().waitFor();
  await shot(ctx, "teams");

  // The server shared with the team through the access dialog.
  await page.goto(ctx.serverUrl);
  await page.getByRole("link", { name: "Edit access" }).click();
  const dialog = page.locator("#access-dialog");
  await dialog.locator("#add-email").waitFor();
  check(await dialog.evaluate((d) => d.open), "the access dialog is open");
  await dialog.locator("#add-email").fill("nobody@example.com");
  await dialog.getByRole("button", { name: "Add person" }).click();
  await dialog.locator(".error", { hasText: "no account uses this address" }).waitFor();
  await dialog.locator("#add-team").selectOption({ label: ctx.team });
  await dialog.locator("#add-team-role").selectOption("read");
  await dialog.getByRole("button", { name: "Add team" }).click();
  await dialog.locator("table.grants", { hasText: ctx.team }).waitFor();
  await shot(ctx, "access-dialog");
  await dialog.getByRole("button", { name: "Save access" }).click();
  await page.locator(".flash-ok", { hasText: "Access to" }).waitFor();
  check(page.url() === ctx.serverUrl, "back on the server page after saving");
  await openTab(page, "History");
  check((await page.locator("#tab-history .event").first().textContent()).includes("grant"), "the grant is in the history");

  // The member finds and opens it (read only); a stranger neither finds nor opens it.
  await signOut(page);
  await signIn(page, ctx.member.email, ctx.password);
  await page.goto(base + "/servers");
  await page.locator("#list-q").fill(ctx.host);
  await page.waitForURL(/q=/);
  await expectResult(page, { name: ctx.host, shown: true });
  await page.locator("#results tbody th a", { hasText: ctx.host }).click();
  await page.waitForURL(ctx.serverUrl);
  await page.getByRole("heading", { name: ctx.host }).waitFor();
  check(await page.getByRole("link", { name: "Edit", exact: true }).count() === 0, "a read member cannot edit");
  await page.getByRole("link", { name: "Access", exact: true }).click();
  await page.locator("#access-dialog .grants-ro", { hasText: ctx.team }).waitFor();
  await page.keyboard.press("Escape");
  await page.locator("#access-dialog").waitFor({ state: "hidden" });
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.textContent.trim());
  check(focused === "Access", `Escape closes the dialog and focus returns to its button, not ${focused}`);
  await signOut(page);
  await signIn(page, ctx.stranger.email, ctx.password);
  await page.goto(base + "/servers?q=" + encodeURIComponent(ctx.host));
  await expectResult(page, { name: ctx.host, shown: false });
  ctx.expected404 = ctx.serverUrl;
  const res = await page.goto(ctx.serverUrl);
  check(res.status() === 404, `a stranger gets 404 on the server, got ${res.status()}`);
  await page.getByRole("heading", { name: "Not found" }).waitFor();
  check(!(await page.content()).includes(ctx.host), "the 404 page does not name the server");
  ctx.expected404 = null;
  await page.goto(base + "/");
  await signOut(page);
  await signIn(page, ctx.email, ctx.password);
}

async function apiToken(ctx) {
  const { page } = ctx;
  await openMenu(page, "API tokens");
  await page.waitForURL(/\/tokens$/);
  await page.locator("#token-name").fill("inventory sync");
  await page.locator("#token-days").selectOption("90");
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = await page.locator("#new-token").inputValue();
  check(secret.startsWith("mt_"), "the new token is shown");
  await page.getByRole("button", { name: "Copy" }).click();
  await page.locator("[data-copy-status]", { hasText: /Cop|Selected/ }).waitFor();
  ctx.secret = secret;
  const res = await page.request.get(base + "/api/v1/me", { headers: { authorization: `Bearer ${secret}` } });
  check(res.ok() && (await res.json()).email === ctx.email, "the token works for the API");
  await shot(ctx, "api-tokens");
  await page.goto(base + "/tokens");
  check(!(await page.content()).includes(secret), "the token is shown only once");
  await openMenu(page, "Profile");
  await page.waitForURL(/\/profile$/);
  await page.locator("#p-fullname").fill("Dana D. Day");
  await page.locator("#p-city").fill("Porto");
  await page.getByRole("button", { name: "Save profile" }).click();
  await page.locator(".flash-ok", { hasText: "profile is saved" }).waitFor();
  check((await page.locator("#p-city").inputValue()) === "Porto", "the profile keeps the city");
  await shot(ctx, "profile");
}

// A job queued elsewhere (a script, a schedule) appears on the jobs page without a reload.
async function liveJobs(ctx) {
  const { page } = ctx;
  await page.goto(base + "/jobs");
  await page.locator("html[data-live=open]").waitFor({ state: "attached" });
  const headers = { authorization: `Bearer ${ctx.secret}` };
  const name = `live-${ctx.stamp}`;
  const made = await page.request.post(base + "/api/v1/schedules", {
    headers, data: { name, module: "noop", interval: { every: 1, period: "days" } },
  });
  check(made.status() === 201, `the schedule is created (${made.status()})`);
  const run = await page.request.post(`${base}/api/v1/schedules/${(await made.json()).id}/run`, { headers, data: {} });
  check(run.status() === 202, `the run is queued (${run.status()})`);
  await page.locator("#jobs-list a", { hasText: name }).waitFor();
}

async function switchTheme(ctx) {
  const { page } = ctx;
  await page.goto(base + "/");
  check((await page.getAttribute("html", "data-theme")) === "lotus", "lotus is the default theme");
  await page.locator("#theme-select").selectOption("dark");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
  await page.reload();
  check((await page.getAttribute("html", "data-theme")) === "dark", "the chosen theme persists");
  await shot(ctx, "dashboard-dark");
  await page.locator("#theme-select").selectOption("lotus");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === "lotus");
}

// The rest of the inventory: family-specific forms and reference widgets.
async function pickRef(page, fieldId, query, name) {
  await page.locator(`#${fieldId}-q`).fill(query);
  const pick = page.locator(`#${fieldId}-results [data-ref-pick]`, { hasText: name }).first();
  await pick.waitFor();
  await pick.click();
  await page.locator(`#${fieldId} [data-ref-item] a`, { hasText: name }).waitFor();
}

async function createDatabase(ctx) {
  const { page } = ctx;
  ctx.db = `db-${ctx.stamp}`;
  await page.goto(base + "/databases/new");
  await page.locator("#f-name").fill(ctx.db);
  await page.locator("#f-environment").fill("Production");
  await openTab(page, "Database");
  check(await page.locator("#f-crs_version").isHidden(), "Oracle fields wait for an Oracle engine");
  await page.locator("#f-engine").fill("Oracle Database");
  await page.locator("#f-crs_version").waitFor();
  await page.locator("#f-crs_version").fill("19c");
  await page.locator("#f-storage_types").fill("ASM");
  await page.locator("#f-cluster").fill("RAC");
  const pdb = await addRow(page, "f-pdbs");
  await pdb.locator("input").fill("SALESPDB");
  await shot(ctx, "database-form-oracle");
  await openTab(page, "Servers");
  await pickRef(page, "f-servers", ctx.host, ctx.host);
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/databases\/[0-9a-f-]{36}$/);
  ctx.dbUrl = page.url();
  await openTab(page, "Database");
  const text = await page.locator("#tab-database").textContent();
  check(text.includes("SALESPDB") && text.includes("19c"), "the database tab shows the PDB and CRS version");
  await openTab(page, "Servers");
  check((await page.locator("#tab-servers").textContent()).includes(ctx.host), "the database runs on the server");
}

async function createLoadBalancer(ctx) {
  const { page } = ctx;
  await page.goto(base + "/loadbalancers/new");
  await page.locator("#f-name").fill(`lb-${ctx.stamp}`);
  await openTab(page, "Targets");
  await page.locator("#f-targets select[name=_by]").selectOption("ipv4_private");
  await pickRef(page, "f-targets", ctx.ip.split(".").slice(0, 3).join("."), ctx.host);
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/loadbalancers\/[0-9a-f-]{36}$/);
  await openTab(page, "Targets");
  check((await page.locator("#tab-targets").textContent()).includes(ctx.host), "the target is listed");
  await shot(ctx, "loadbalancer-detail");
  await page.goto(ctx.serverUrl);
  await openTab(page, "Relations");
  const rel = await page.locator("#tab-relations").textContent();
  check(rel.includes("Load balanced by") && rel.includes(`lb-${ctx.stamp}`), "the server knows its load balancer");
  check(rel.includes(ctx.db), "the server knows the database deployed on it");
}

async function createApplication(ctx) {
  const { page } = ctx;
  await page.goto(base + "/applications/new");
  await page.locator("#f-name").fill(`app-${ctx.stamp}`);
  await page.locator("#f-language").fill("Rust");
  await openTab(page, "Spec");
  await page.locator("#f-role [data-row]", { hasText: "" }).first().waitFor();
  await openTab(page, "Dependencies");
  await pickRef(page, "f-deps", ctx.db, ctx.db);
  await page.locator("#f-deps [data-ref-item] input[name$='.endpoint']").fill("tcp/ip");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/applications\/[0-9a-f-]{36}$/);
  await openTab(page, "Dependencies");
  check((await page.locator("#tab-dependencies").textContent()).includes(`${ctx.db} (tcp/ip)`), "the dependency and its endpoint");
  // Editing it, the dependency search does not offer the application itself.
  const appUrl = page.url();
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await openTab(page, "Dependencies");
  await page.locator("#f-deps-q").fill(`app-${ctx.stamp}`);
  await page.locator("#f-deps-results p.muted").waitFor();
  check(
    (await page.locator("#f-deps-results [data-ref-pick]", { hasText: `app-${ctx.stamp}` }).count()) === 0,
    "an application cannot be picked as its own dependency",
  );
  await page.goto(appUrl);
  await page.goto(ctx.dbUrl);
  await openTab(page, "Relations");
  check((await page.locator("#tab-relations").textContent()).includes(`app-${ctx.stamp}`), "the database knows who depends on it");
}

async function createResource(ctx) {
  const { page } = ctx;
  await page.goto(base + "/resources/new");
  await page.locator("#f-family").selectOption("Cache");
  await page.locator("#f-name").fill(`cache-${ctx.stamp}`);
  await page.locator("#f-provider").fill("Redis");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/resources\/[0-9a-f-]{36}$/);
  check((await page.locator("h1").textContent()).includes(`cache-${ctx.stamp}`), "the resource page");
  await page.goto(base + "/resources?family=Cache");
  await expectResult(page, { name: `cache-${ctx.stamp}`, shown: true });
}

// Discovery: an AWS connection to a closed local port (nothing leaves the machine), its task
// table and the read-only IAM policy, a task switched off, the datacenter now connected.
async function connectAccount(ctx) {
  const { page } = ctx;
  const secret = `browser-secret-${ctx.stamp}`;
  ctx.conn = `aws-${ctx.stamp}`;
  await page.goto(base + "/connections");
  await page.getByRole("link", { name: "New connection" }).click();
  await page.waitForURL(/\/connections\/new$/);
  await page.locator("#c-name").fill(ctx.conn);
  check(await page.locator("#c-auth-url").isHidden(), "OpenStack fields wait for OpenStack");
  await page.locator('input[name="provider"][value="openstack"]').check();
  await page.locator("#c-auth-url").waitFor();
  check(await page.locator("#c-aws-secret").isHidden(), "AWS credentials hide for OpenStack");
  await page.locator('input[name="provider"][value="aws"]').check();
  await page.locator("#c-aws-secret").waitFor();
  await page.locator("#c-datacenter").selectOption({ label: `${ctx.dc} · AWS` });
  await page.locator('input[name="aws_regions"][value="us-east-1"]').check();
  await page.locator("#c-aws-endpoint").fill("http://127.0.0.1:9");
  await page.locator("#c-aws-key").fill(`AKIA${ctx.stamp.toUpperCase()}`);
  await page.locator("#c-aws-secret").fill(secret);
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/connections\/[0-9a-f-]{36}$/);
  ctx.connUrl = page.url();
  await page.getByRole("heading", { name: ctx.conn }).waitFor();
  check(!(await page.content()).includes(secret), "the secret access key is never shown");
  await page.locator('tr[data-task="server-list"]').waitFor();
  check((await page.locator("table.tasks tbody tr").count()) === 10, "ten AWS tasks");
  const policy = await page.locator("#iam-policy").inputValue();
  check(JSON.parse(policy).Statement[0].Action.includes("ec2:DescribeInstances"), "the IAM policy lists the tasks' permissions");
  const images = page.locator('tr[data-task="images-list"] [role="switch"]');
  check((await images.getAttribute("aria-checked")) === "true", "tasks start enabled");
  await images.click();
  await page.locator('tr[data-task="images-list"] [role="switch"][aria-checked="false"]').waitFor();
  await shot(ctx, "connection-page");
  await page.locator("#tasks-title").scrollIntoViewIfNeeded();
  await shot(ctx, "connection-tasks");
  await page.goto(base + "/datacenters?q=" + encodeURIComponent(ctx.dc));
  await page.locator("#results tbody tr", { hasText: ctx.dc }).locator(".badge", { hasText: "Connected" }).waitFor();
  await page.goto(base + "/connections");
  await page.locator("table.list tbody th a", { hasText: ctx.conn }).waitFor();
  check(!(await page.content()).includes(secret), "the list does not show the secret either");
}

async function morePages(ctx) {
  if (!shotsDir) return;
  const { page } = ctx;
  await page.goto(base + "/settings/options/env_options");
  await shot(ctx, "settings-options");
  await page.goto(base + "/applications");
  await shot(ctx, "applications-list");
  if (await page.locator('.user-menu a[href="/admin/users"]').count()) {
    await page.goto(base + "/admin/users");
    await shot(ctx, "admin-users");
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + "/servers");
  await shot(ctx, "servers-list-phone");
}

// The account menu at phone width, by keyboard: it fits the screen and Escape closes it.
async function phoneMenu(ctx) {
  const { page } = ctx;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + "/servers");
  await page.locator(".user-menu > summary").focus();
  await page.keyboard.press("Enter");
  const profile = page.locator(".user-menu .menu a", { hasText: "Profile" });
  await profile.waitFor();
  const box = await profile.boundingBox();
  check(box && box.x >= 0 && box.x + box.width <= 390, "the menu fits a phone screen");
  await shot(ctx, "menu-phone");
  await page.keyboard.press("Escape");
  await profile.waitFor({ state: "hidden" });
  check(await page.locator(".user-menu > summary").evaluate((s) => s === document.activeElement), "focus returns to the menu button");
}

const STEPS = [
  register, createDatacenter, createServer, findServer, editServer, seeHistory,
  shareWithTeammate, apiToken, liveJobs, switchTheme,
  createDatabase, createLoadBalancer, createApplication, createResource, connectAccount, morePages, phoneMenu,
];

async function main() {
  if (shotsDir) mkdirSync(shotsDir, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "maestro-chromium-"));
  // A fresh profile directory every run (playwright passes it as --user-data-dir).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 860 },
  });
  const problems = [];
  let failed = false;
  try {
    const page = context.pages()[0] || (await context.newPage());
    // Generous: under `cargo test` the server shares two cores with every other test.
    page.setDefaultTimeout(20000);
    page.setDefaultNavigationTimeout(30000);
    const ctx = {};
    // The only error expected: the 404 a stranger gets on the shared server's URL.
    const expected = (m) => ctx.expected404 && page.url() === ctx.expected404 && m.text().includes("404");
    page.on("console", (m) => { if (m.type() === "error" && !expected(m)) problems.push(`console error on ${page.url()}: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
    page.on("response", (r) => { if (r.status() >= 500) problems.push(`${r.status()} from ${r.url()}`); });
    const stamp = Date.now().toString(36);
    Object.assign(ctx, {
      page,
      name: "Dana Day",
      email: `dana.${stamp}@example.com`,
      password: "a-long-passphrase",
      host: `web-${stamp}`,
      ip: `10.${Math.floor(Math.random() * 200) + 20}.7.${Math.floor(Math.random() * 200) + 20}`,
      dc: `dc-${stamp}`,
      stamp,
    });
    for (const step of STEPS) {
      const started = Date.now();
      await step(ctx);
      check(problems.length === 0, `browser problems after ${step.name}:\n  ${problems.join("\n  ")}`);
      console.log(`ok  ${step.name} (${Date.now() - started} ms)`);
    }
    console.log("a new user's day: all steps passed");
  } catch (e) {
    failed = true;
    console.error(`FAILED: ${e.stack || e}`);
    if (problems.length) console.error(`browser problems:\n  ${problems.join("\n  ")}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

main();
