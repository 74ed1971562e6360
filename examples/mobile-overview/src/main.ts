import { createInsightsClient } from "@insights/contracts/client";
import type { Overview } from "@insights/contracts/mobile";

/** Usage: main.ts <bff-url> <token> <phone number in E.164> */

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function describeSections(sections: Overview["sections"]): string[] {
  const lines: string[] = [];
  const { profile, segment, categories, score } = sections;
  if (profile) lines.push("error" in profile ? `profile: ${profile.error.title}` : `profile: ${profile.attributes.length} attributes, ${profile.applicationProfiles.length} app profiles`);
  if (segment) lines.push("error" in segment ? `segment: ${segment.error.title}` : `segment: ${segment.segment}${segment.birthdayToday ? " (birthday today)" : ""}`);
  if (categories) lines.push("error" in categories ? `categories: ${categories.error.title}` : `categories: ${categories.categories.map((c) => `${c.name}=${c.value ?? "-"}`).join(", ")}`);
  if (score) lines.push("error" in score ? `score: ${score.error.title}` : `score: ${score.scores.map((s) => `${s.scoringType} ${s.scoringValue}`).join(", ")}`);
  return lines;
}

async function main(baseUrl: string, token: string, phoneNumber: string): Promise<number> {
  const client = createInsightsClient({ baseUrl, token });
  const search = await client.mobile.searchCustomers({ query: { phoneNumber } });
  if (search.status !== 200) {
    print(`search failed: ${search.status} ${"title" in search.body ? search.body.title : ""}`);
    return 1;
  }
  for (const customer of search.body.customers) {
    const overview = await client.mobile.getCustomerOverview({ params: { customerId: customer.id } });
    if (overview.status !== 200) {
      print(`${customer.fullName}: ${overview.status}`);
      continue;
    }
    print(`${overview.body.customer.fullName} (${overview.body.customer.id})`);
    for (const line of describeSections(overview.body.sections)) print(`  ${line}`);
  }
  return 0;
}

const [baseUrl, token, phoneNumber] = process.argv.slice(2);
if (!baseUrl || !token || !phoneNumber) {
  print("usage: main.ts <bff-url> <token> <phone number>");
  process.exitCode = 2;
} else {
  process.exitCode = await main(baseUrl, token, phoneNumber);
}
