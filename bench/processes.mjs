import { execFileSync, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, realpathSync } from "node:fs";
import { createServer } from "node:net";

/**
 * Starts a server whose stdout goes to a file, as a production log would (the BFF's access log
 * is written there at LOG_LEVEL=info), and resolves once it prints the URL it listens on.
 */
export function startServer(root, args, env, logFile) {
  const fd = openSync(logFile, "w");
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", fd, "inherit"] });
  closeSync(fd);
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /listening on (http:\/\/\S+)/.exec(readFileSync(logFile, "utf8"));
      if (match) {
        clearInterval(poll);
        resolve({ child, url: match[1].replace("localhost", "127.0.0.1") });
      }
    }, 50);
    child.on("exit", (code) => {
      clearInterval(poll);
      reject(new Error(`${args.join(" ")} exited with ${code}`));
    });
  });
}

/**
 * Prism (fetched through npx) serving an OpenAPI document from its examples: the spec-driven mock
 * server a mobile team would otherwise call. Run by this Node.js, like the other servers.
 */
export async function startSpecMock(root, spec, logFile) {
  const bin = execFileSync("npx", ["-y", "-p", "@stoplight/prism-cli@5", "-c", "command -v prism"], { encoding: "utf8" }).trim();
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  return startServer(root, [realpathSync(bin), "mock", spec, "-h", "127.0.0.1", "-p", String(port)], {}, logFile);
}
