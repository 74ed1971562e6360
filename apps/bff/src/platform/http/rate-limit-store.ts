import { RedisStore } from "rate-limit-redis";
import { createClient } from "redis";
import type { RateLimitStores } from "./rate-limit.js";

export type SharedRateLimitStores = { stores: RateLimitStores; close(): Promise<void> };

/**
 * Counters in Redis, shared by every replica (REDIS_URL): one connection, one store per budget
 * (client address, caller). Without Redis each process counts alone, in memory.
 */
export async function connectRedisRateLimitStores(url: string, prefix = "insights-bff:rl:"): Promise<SharedRateLimitStores> {
  const client = createClient({ url });
  client.on("error", () => {
    // Reported through the failing commands (the limiter then fails the request as unavailable).
  });
  await client.connect();
  const storeFor = (budget: string) => new RedisStore({ prefix: `${prefix}${budget}:`, sendCommand: (...args: string[]) => client.sendCommand(args) });
  return {
    stores: { address: storeFor("address"), caller: storeFor("caller") },
    close: async () => {
      await client.quit().catch(() => undefined);
    },
  };
}
