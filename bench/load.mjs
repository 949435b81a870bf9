// A closed-loop HTTP load generator for the benchmarks: `clients` keep-alive connections,
// each sending its next request as soon as the previous answer is read.
//
// Python's httpx spends 0.5-0.9 ms of CPU per request, taken from the same two cores the
// server runs on; Node's http client spends far less, so the figures say more about the
// server. Reads one JSON object on stdin:
//   {"url": "http://127.0.0.1:8000/credentials/verify", "method": "POST",
//    "headers": {...}, "bodies": ["...", ...], "clients": 8, "expect": [200]}
// and writes {"latencies_ms": [...], "seconds": s, "cpu_seconds": s, "statuses": {...},
// "failures": ["first answers that were not expected", ...]} on stdout. Each body is sent once.
//
// With "warm": [...] those bodies are sent first by the same clients on the same kept-alive
// connections, untimed apart from their own latencies ("warm_latencies_ms"); then "warmed" and
// a newline is written on stdout, and the timed run starts when SIGUSR2 arrives (the caller
// reads the servers' CPU clocks in between).
import http from "node:http";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const job = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const target = new URL(job.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: job.clients });
const expect = new Set(job.expect ?? [200]);
let bodies = [];
let latencies = [];
let statuses = {};
let failures = [];
let next = 0;

function send(index) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const request = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: job.method ?? "POST",
        headers: {
          "content-type": "application/json",
          ...(job.headers ?? {}),
          "content-length": bodies[index].length,
        },
      },
      (response) => {
        const parts = [];
        response.on("data", (part) => parts.push(part));
        response.on("end", () => {
          latencies[index] = Number(process.hrtime.bigint() - started) / 1e6;
          statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
          if (!expect.has(response.statusCode) && failures.length < 3) {
            failures.push(`${response.statusCode}: ${Buffer.concat(parts).toString().slice(0, 300)}`);
          }
          resolve();
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(bodies[index]);
  });
}

async function client() {
  while (next < bodies.length) {
    await send(next++);
  }
}

async function phase(texts) {
  bodies = texts.map((body) => Buffer.from(body, "utf8"));
  latencies = new Array(bodies.length);
  next = 0;
  await Promise.all(Array.from({ length: job.clients }, client));
  return latencies;
}

let warmLatencies = [];
if (job.warm && job.warm.length) {
  const resumed = new Promise((resolve) => process.once("SIGUSR2", resolve));
  warmLatencies = await phase(job.warm);
  if (failures.length) {
    process.stdout.write(JSON.stringify({ failures, statuses }) + "\n");
    process.exit(1);
  }
  statuses = {};
  process.stdout.write("warmed\n");
  // A signal listener alone does not keep Node's event loop alive.
  const alive = setInterval(() => {}, 1000);
  await resumed;
  clearInterval(alive);
}
const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
await phase(job.bodies);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
agent.destroy();
process.stdout.write(
  JSON.stringify({
    latencies_ms: latencies,
    warm_latencies_ms: warmLatencies,
    seconds,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    statuses,
    failures,
  }),
);
