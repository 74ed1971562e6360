import type { Store as RateLimitStore } from "express-rate-limit";
import { RedisStore } from "rate-limit-redis";
import { createClient } from "redis";

export type SharedRateLimitStore = { store: RateLimitStore; close(): Promise<void> };

/** Counters in Redis, shared by every replica (REDIS_URL). Without it each process counts alone, in memory. */
export async function connectRedisRateLimitStore(url: string, prefix = "insights-bff:rl:"): Promise<SharedRateLimitStore> {
  const client = createClient({ url });
  client.on("error", () => {
    // Reported through the failing commands (the limiter then fails the request as unavailable).
  });
  await client.connect();
  const store = new RedisStore({
    prefix,
    sendCommand: (...args: string[]) => client.sendCommand(args),
  });
  return {
    store,
    close: async () => {
      await client.quit().catch(() => undefined);
    },
  };
}
