import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

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
