package io.protoloop.internal.loop;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.protoloop.EventLoop;
import io.protoloop.LoopOptions;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The object {@code EventLoop.create} returns: fronts N member loops. Scheduling runs on the first
 * member (so one loop object keeps asyncio's FIFO guarantee), servers spread connections over all
 * members, outgoing connections are placed round-robin.
 */
public final class LoopGroup extends AbstractLoop {

    private final List<MemberLoop> members;
    private final List<EventLoop> publicMembers;
    private final Map<EventExecutor, MemberLoop> byNetty = new IdentityHashMap<>();
    private final AtomicInteger next = new AtomicInteger();

    private LoopGroup(LoopRuntime runtime) {
        super(runtime);
        List<MemberLoop> list = new ArrayList<>();
        int i = 0;
        for (EventExecutor executor : runtime.group()) {
            MemberLoop member = new MemberLoop(runtime, (IoEventLoop) executor, i++);
            list.add(member);
            byNetty.put(executor, member);
        }
        this.members = List.copyOf(list);
        this.publicMembers = List.copyOf(list);
        runtime.owner(this);
        runtime.members(this::memberFor);
    }

    /** Creates and starts a loop group. */
    public static EventLoop create(LoopOptions options) {
        return new LoopGroup(new LoopRuntime(Objects.requireNonNull(options, "options")));
    }

    private MemberLoop memberFor(EventExecutor executor) {
        return byNetty.get(executor);
    }

    @Override
    public MemberLoop scheduler() {
        return members.get(0);
    }

    @Override
    public EventLoopGroup childGroup() {
        return runtime.group();
    }

    @Override
    public MemberLoop nextMember() {
        return members.get(Math.floorMod(next.getAndIncrement(), members.size()));
    }

    @Override
    public List<EventLoop> members() {
        return publicMembers;
    }

    @Override
    public String toString() {
        return "EventLoop[" + members.size() + " thread(s), " + transportType() + (isClosed() ? ", closed" : "") + "]";
    }
}
