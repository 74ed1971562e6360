import { profilesContract } from "@insights/contracts/profiles";
import { defineFamily } from "../family.js";
import { profilesDialect } from "./dialect.js";
import { profilesHandlers } from "./handlers.js";
import { localProfileSection, upstreamProfileSection } from "./section.js";
import { profilesEnvShape, profilesUpstream } from "./upstream.js";

/** IMIconnect customer profiles. */
export const profilesFamily = defineFamily({
  name: "profiles",
  prefix: "PROFILES",
  env: profilesEnvShape,
  contract: profilesContract,
  dialect: (settings) => profilesDialect(settings.profilesErrorHttpStatus),
  handlers: ({ store }) => profilesHandlers(store),
  upstream: profilesUpstream,
  section: {
    name: "profile",
    local: ({ store }) => localProfileSection(store),
    upstream: (ask) => upstreamProfileSection(ask),
  },
});
