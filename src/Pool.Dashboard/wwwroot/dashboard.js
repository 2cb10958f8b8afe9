// PoolCluster dashboard: polls api/cluster and api/jobs once a second and renders them; no dependencies.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const mb = (b) => (b / 1048576).toFixed(0) + " MB";
  const secs = (s) => s == null ? "" : s < 90 ? s.toFixed(1) + " s" : s < 5400 ? (s / 60).toFixed(1) + " min" : (s / 3600).toFixed(1) + " h";
  const time = (t) => t ? new Date(t).toLocaleTimeString() : "";
  let config = { actions: "read-only", reason: "loading" };

  function headers() {
    const token = $("token").value || sessionStorage.getItem("poolcluster-token") || "";
    if ($("token").value) sessionStorage.setItem("poolcluster-token", $("token").value);
    return token ? { Authorization: "Bearer " + token } : {};
  }
  const canAct = () => config.actions !== "read-only";

  async function act(url, what) {
    if (!confirm(what + "?")) return;
    const r = await fetch(url, { method: "POST", headers: headers() });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) alert(what + " refused (" + r.status + "): " + (body.error || r.statusText));
  }
  window.poolCancel = (router, job) => act("api/jobs/cancel?router=" + encodeURIComponent(router) + "&job=" + job, "Cancel job " + job);
  window.poolDrain = (address) => act("api/nodes/drain?address=" + encodeURIComponent(address), "Drain " + address);
  const button = (label, onclick) => canAct()
    ? `<button onclick="${esc(onclick)}">${label}</button>`
    : `<button disabled title="${esc(config.reason)}">${label}</button>`;

  function renderCluster(c) {
    $("members").tBodies[0].innerHTML = c.members.map((m) => `<tr>
      <td class="mono">${esc(m.address)}</td><td>${esc(m.roles.join(", "))}</td>
      <td class="status-${esc(m.status)}">${esc(m.status)}</td><td class="${m.reachable ? "" : "bad"}">${m.reachable ? "yes" : "no"}</td>
      <td>${time(m.upSinceUtc)}</td><td class="num">${m.tasksCompleted}</td>
      <td>${m.roles.includes("worker") && m.status === "Up" ? button("drain", `poolDrain('${m.address}')`) : ""}</td></tr>`).join("");
    const nodes = c.members.filter((m) => m.roles.includes("worker") || m.children.length > 0);
    $("nodes").innerHTML = nodes.length === 0 ? '<p class="muted">no worker node</p>' : nodes.map((m) => `
      <h3>${esc(m.address)} <small>${m.children.length} children${m.shares.length ? " · slots: " + m.shares.map((s) => esc(shortPool(s.pool)) + " " + s.slots).join(", ") : ""}</small></h3>
      <table class="children"><thead><tr><th>pid</th><th>pool</th><th>state</th><th>running</th><th>for</th><th>tasks done</th><th>memory</th><th>CPU</th></tr></thead><tbody>
      ${m.children.map((ch) => `<tr data-pid="${ch.pid}"><td class="num mono">${ch.pid}</td><td class="mono">${esc(shortPool(ch.pool))}</td>
        <td class="state-${esc(ch.state)}">${esc(ch.state)}</td><td>${esc(ch.running)}</td><td>${secs(ch.runningSeconds)}</td>
        <td class="num">${ch.tasksDone}</td><td class="num">${mb(ch.memoryBytes)}</td>
        <td class="num">${ch.cpuPercent == null ? "" : ch.cpuPercent.toFixed(0) + " %"}</td></tr>`).join("")}
      </tbody></table>`).join("");
    renderChart(c.throughput);
  }

  const shortPool = (p) => p.replace(/^akka(\.ssl)?\.tcp:\/\/pool@/, "").replace("/user/", " ");

  function renderChart(points) {
    const max = Math.max(1, ...points.map((p) => p.tasksPerSecond));
    const n = Math.max(points.length - 1, 1);
    const line = points.map((p, i) => `${(i / n * 600).toFixed(1)},${(118 - p.tasksPerSecond / max * 112).toFixed(1)}`).join(" ");
    $("chart").innerHTML = `<polyline points="${line}"></polyline>`;
    const last = points.length ? points[points.length - 1].tasksPerSecond : 0;
    $("chart-legend").innerHTML = `<span class="muted">now ${last.toFixed(1)}/s · peak ${max.toFixed(1)}/s · ${points.length} s shown</span>`;
  }

  function renderJobs(j) {
    $("pools").innerHTML = j.pools.length === 0 ? '<p class="muted">no pool</p>' : j.pools.map((p) => `
      <h3>${esc(shortPool(p.router))} <small>${p.workers} workers · ${p.queued} queued · ${p.inFlight} running</small></h3>
      <table class="jobs"><thead><tr><th>job</th><th>kind</th><th>progress</th><th>done</th><th>failed</th><th>total</th><th>rate</th><th>age</th><th></th></tr></thead><tbody>
      ${p.jobs.map((job) => {
        const total = Math.max(job.total, 1), done = job.done / total * 100, failed = job.failed / total * 100;
        const state = job.cancelled ? "cancelled" : job.finished ? "finished" : "running";
        return `<tr data-job="${job.jobId}"><td class="num">${job.jobId}</td><td>${esc(job.kind)}</td>
        <td><div class="bar"><span style="width:${done}%"></span><span class="failed" style="left:${done}%;width:${failed}%"></span><em>${state} ${Math.floor(done)} %</em></div></td>
        <td class="num job-done">${job.done}</td><td class="num">${job.failed}</td><td class="num">${job.total}</td>
        <td class="num">${job.rate.toFixed(1)}/s</td><td>${secs(job.ageSeconds)}</td>
        <td>${job.finished ? "" : button("cancel", `poolCancel('${p.router}', ${job.jobId})`)}</td></tr>`;
      }).join("")}</tbody></table>`).join("");
    const failures = j.pools.flatMap((p) => p.failures);
    $("failures").innerHTML = failures.length === 0 ? '<p class="muted">none</p>' : failures.map((f) => `
      <details><summary>${time(f.atUtc)} · job ${f.jobId} · <b>${esc(f.type)}</b>: ${esc(f.message)} <small>(${esc(f.task)})</small></summary>
      <pre>${esc(f.stackTrace || "no stack trace")}</pre></details>`).join("");
  }

  async function refresh() {
    try {
      const [c, j] = await Promise.all([fetch("api/cluster").then((r) => r.json()), fetch("api/jobs").then((r) => r.json())]);
      renderCluster(c);
      renderJobs(j);
      $("updated").textContent = "updated " + new Date().toLocaleTimeString();
    } catch (e) {
      $("updated").textContent = "cannot reach the seed: " + e;
    }
  }

  async function start() {
    config = await fetch("api/config").then((r) => r.json()).catch(() => config);
    $("token-box").hidden = config.actions !== "token";
    $("actions-note").textContent = config.actions === "read-only" ? config.reason : "";
    await refresh();
    setInterval(refresh, 1000);
  }
  start();
})();
