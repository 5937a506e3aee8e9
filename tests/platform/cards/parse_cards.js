// Parses Adaptive Cards with Microsoft's own renderer (npm adaptivecards) under Teams' limits.
// argv: the renderer's bundle, a host config JSON file. stdin: {"name": card, ...}.
// stdout: {"name": ["event: message", ...]}, every parse and validation event per card.
const fs = require("fs");
const AC = require(process.argv[2]);

const hostConfig = new AC.HostConfig(JSON.parse(fs.readFileSync(process.argv[3], "utf8")));
const cards = JSON.parse(fs.readFileSync(0, "utf8"));
const events = {};
for (const [name, json] of Object.entries(cards)) {
  const card = new AC.AdaptiveCard();
  card.hostConfig = hostConfig;
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, context);
  const found = [];
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    found.push(`${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  for (const event of card.validateProperties().validationEvents) {
    found.push(`${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  events[name] = found;
}
process.stdout.write(JSON.stringify(events));
