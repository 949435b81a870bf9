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
import http from "node:http";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const job = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const target = new URL(job.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: job.clients });
const expect = new Set(job.expect ?? [200]);
const bodies = job.bodies.map((body) => Buffer.from(body, "utf8"));
const latencies = new Array(bodies.length);
const statuses = {};
const failures = [];
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

const cpuBefore = process.cpuUsage();
const started = process.hrtime.bigint();
await Promise.all(Array.from({ length: job.clients }, client));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
agent.destroy();
process.stdout.write(
  JSON.stringify({
    latencies_ms: latencies,
    seconds,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    statuses,
    failures,
  }),
);
