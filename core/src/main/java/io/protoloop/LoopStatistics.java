package io.protoloop;

/**
 * A loop's counters now, for monitoring (a protoloop extension; asyncio has none).
 *
 * @param members       member loops (threads) this statistic covers
 * @param pendingTasks  callbacks and engine tasks queued and not yet run
 * @param slowCallbacks callbacks that ran longer than the slow-callback threshold (counted in debug
 *                      mode, as asyncio only measures there)
 * @param transports    live transports and servers of the whole loop group (also when asked of a member)
 */
public record LoopStatistics(int members, long pendingTasks, long slowCallbacks, int transports) {
}
