/*
 * A corrected org.rapaio.jupyter.kernel.channels.LoopThread for rapaio-jupyter-kernel 3.0.1,
 * written for mot-djl. bin/notebooks compiles it and puts it before the kernel's jar on the
 * kernel's class path, so that this class replaces the jar's own (same name, same public API).
 *
 * The kernel runs its shell, control and heartbeat channels each in one LoopThread. In 3.0.1 two
 * start-up races can stop such a thread for good, after which the kernel never answers a request
 * and a client waits out its whole start-up timeout (nbclient: 60 s, "Kernel didn't respond"):
 *
 *  1. start() started the thread before setting the running flag, so a thread scheduled at once
 *     read the flag as false and returned without serving a single message.
 *  2. The shell channel's thread starts while the kernel is still binding its other channels and
 *     before it has registered its message handlers; a kernel_info_request arriving in that gap
 *     made the loop body throw a NullPointerException, which ended the thread.
 *
 * Here the flag is set before the thread starts, and a loop pass that throws is logged and the
 * loop goes on: the request that pass had read is lost, and the client's next kernel_info_request
 * (jupyter_client sends one a second until one is answered) is served.
 *
 * Measured with kernel_starts.py (next to this file), 15 s allowed per start, on 2 busy cores:
 * without this class 15 of 60 and 19 of 60 starts never answered (5 and 9 of them with the
 * NullPointerException, the others silent: the flag race); with it 0 of 160.
 */
package org.rapaio.jupyter.kernel.channels;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Runs the loop body, then sleeps, until shut down; one failing pass does not end it. */
public final class LoopThread extends Thread {

    private static final Logger LOGGER = Logger.getLogger(LoopThread.class.getSimpleName());

    private volatile boolean running;
    private final long sleep;
    private final Runnable loopBody;

    public LoopThread(String name, long sleep, Runnable loopBody) {
        super(name);
        this.sleep = sleep;
        this.loopBody = loopBody;
    }

    @Override
    public void run() {
        while (running) {
            try {
                loopBody.run();
            } catch (RuntimeException e) {
                // a closed socket during shut-down ends the loop through the flag, not through this
                if (running) {
                    LOGGER.log(
                            Level.SEVERE,
                            getName() + ": a loop pass failed (" + e + "); the loop goes on",
                            e);
                }
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                running = false;
                return;
            }
        }
    }

    @Override
    public synchronized void start() {
        // set before the thread exists, so that its first test of the flag cannot see false
        running = true;
        super.start();
    }

    public void shutdown() {
        running = false;
    }
}
