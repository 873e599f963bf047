// The Probot side of bench/intake.py: verify each delivery with Probot's webhooks middleware
// (X-Hub-Signature-256 over the raw body), then push its ids to Redis in one command, and
// answer once the push is done. Settings come from the environment the bench gives it.
import { createServer } from "node:http";
import { Redis } from "ioredis";
import { Probot, createNodeMiddleware } from "probot";

const redis = new Redis(process.env.REDIS_URL);
const key = process.env.PEER_QUEUE_KEY;

const app = (probot) => {
  probot.on("pull_request", async (context) => {
    const { payload } = context;
    await redis.lpush(
      key,
      JSON.stringify([context.id, payload.installation?.id, payload.repository.full_name,
        payload.pull_request.number]),
    );
  });
};

const probot = new Probot({
  appId: 1,
  privateKey: process.env.PEER_PRIVATE_KEY,
  secret: process.env.PEER_WEBHOOK_SECRET,
  logLevel: "warn",
});
const middleware = await createNodeMiddleware(app, { probot, webhooksPath: "/webhook" });
createServer((req, res) => {
  middleware(req, res, () => res.writeHead(404).end());
}).listen(Number(process.env.PEER_PORT), "127.0.0.1");
