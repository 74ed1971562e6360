import { categoriesContract } from "@insights/contracts/categories";
import { defineFamily } from "../family.js";
import { categoriesDialect } from "./dialect.js";
import { categoriesHandlers } from "./handlers.js";
import { localCategoriesSection, upstreamCategoriesSection } from "./section.js";
import { categoriesEnvShape, categoriesUpstream } from "./upstream.js";

/** MasStack customer categories. */
export const categoriesFamily = defineFamily({
  name: "categories",
  prefix: "CATEGORIES",
  env: categoriesEnvShape,
  contract: categoriesContract,
  dialect: () => categoriesDialect,
  handlers: ({ store }) => categoriesHandlers(store),
  upstream: categoriesUpstream,
  section: {
    name: "categories",
    local: ({ store }) => localCategoriesSection(store),
    upstream: (ask) => upstreamCategoriesSection(ask),
  },
});
