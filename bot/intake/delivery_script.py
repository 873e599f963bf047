"""A delivery's writes in one Redis round trip: a Lua script that checks its replay records and
its pull requests' queued markers, then applies the commands the transaction would have queued.

The commands are the ones ``bot.intake.deliveries`` builds for its MULTI/EXEC transaction,
recorded on a pipeline that is never sent; the script runs them atomically, so there is no
WATCH to lose and nothing to retry. Redis runs nothing else while a script runs, which is the
guarantee the watched transaction gave: a delivery is recorded once, and a pull request with
a job queued or running coalesces into it.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from redis import Redis
from redis.client import Pipeline
from redis.commands.core import Script

# KEYS: the delivery's two replay records, then each pull request's queued marker.
# ARGV: command groups, each "count, then per command: argc, args"; the first group always
# runs, group i+1 only when the i-th marker was absent before anything was written.
# A command that fails does not stop the others (as in MULTI/EXEC); the records are then
# taken back and the first error returned, so GitHub's redelivery is not seen as a replay.
ACCEPT_LUA = """
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then return 0 end
local idle = {}
for i = 3, #KEYS do idle[i - 2] = redis.call('EXISTS', KEYS[i]) == 0 end
local pos, failure = 1, nil
local function run(active)
  local count = tonumber(ARGV[pos])
  pos = pos + 1
  for _ = 1, count do
    local argc = tonumber(ARGV[pos])
    pos = pos + 1
    if active then
      local reply = redis.pcall(unpack(ARGV, pos, pos + argc - 1))
      if type(reply) == 'table' and reply.err and not failure then failure = reply.err end
    end
    pos = pos + argc
  end
end
run(true)
for i = 1, #KEYS - 2 do run(idle[i]) end
if failure then
  redis.call('DEL', KEYS[1], KEYS[2])
  return redis.error_reply(failure)
end
return 1
"""

_scripts: weakref.WeakKeyDictionary[Redis, Script] = weakref.WeakKeyDictionary()


class Recorder:
    """Commands queued on a transaction pipeline that is never executed, grouped."""

    def __init__(self, redis: Redis) -> None:
        self.pipe: Pipeline = redis.pipeline(transaction=True)
        self.pipe.multi()  # as the transaction's: rq queues into an explicit MULTI as is
        self.groups: list[list[tuple[Any, ...]]] = []
        self._taken = 0

    def close_group(self) -> None:
        """The commands queued since the last group form a group of their own."""
        stack = self.pipe.command_stack
        self.groups.append([args for args, _options in stack[self._taken :]])
        self._taken = len(stack)

    def argv(self) -> list[Any]:
        flat: list[Any] = []
        for group in self.groups:
            flat.append(len(group))
            for args in group:
                flat.append(len(args))
                flat.extend(args)
        return flat

    def discard(self) -> None:
        self.pipe.reset()


def run_accept(
    redis: Redis, records: Sequence[str], markers: Sequence[str], argv: list[Any]
) -> bool:
    """Run the script: True when the delivery was new and its commands applied."""
    script = _scripts.get(redis)
    if script is None:
        script = _scripts[redis] = redis.register_script(ACCEPT_LUA)
    return bool(script(keys=[*records, *markers], args=argv, client=redis))
