/*
 * tokio::sync::Mutex (batch semaphore with 1 permit, FIFO waiter queue,
 * EAGER hand-off on release) driven by a nondeterministic multi-threaded
 * runtime, with every worker wrapped in a PausableFuture.
 *
 * Compile-time parameters (pass to spin as -DN=.. -DP=.. -DD=..):
 *   N     number of workers (1..8)
 *   P     pause budget  (total number of pause events allowed)
 *   D     drop budget   (total number of drop / cancel events allowed)
 *   LIVE  if defined, include the LTL liveness claim (property c)
 *   NO_RETIRE  if defined, omit the "environment retires" transition
 *              (strict SPIN semantics)
 *
 * Tasks: pid 0 = main, pids 1..N = workers (active processes, so the task
 * id IS the Promela _pid).  Every *event* of the system is exactly one
 * d_step, i.e. one SPIN transition:
 *   - a poll of a task (runs its body up to the next Pending / Ready),
 *   - a timer firing, a pause event, a drop event, the env retiring.
 * bench/README.md says how this encoding corresponds to wakecheck's scenario.
 */

#ifndef N
#define N 2
#endif
#ifndef P
#define P 0
#endif
#ifndef D
#define D 0
#endif
#if N > 8
#error "N <= 8 (task bitmasks are 9 bits wide)"
#endif

#define MAIN 0
#define NT   (N+1)          /* number of tasks: main + N workers */

/* lock state of a task with respect to the semaphore */
#define L_NONE     0
#define L_QUEUED   1        /* in the FIFO waiter queue                  */
#define L_ASSIGNED 2        /* permit handed to it, task not yet polled  */
#define L_HELD     3        /* owns the MutexGuard                       */

/* ---------------- shared state ---------------- */
byte permits = 1;           /* free permits in the semaphore (0/1)            */
chan wq = [N] of { byte };  /* FIFO waiter queue, head = oldest waiter         */
byte ls[NT];                /* per-task lock state (L_*)                       */
unsigned rq     : 9;        /* bit t: task t is on the run queue (notified)    */
unsigned armed  : 9;        /* bit t: task t's sleep timer is registered       */
unsigned fired  : 9;        /* bit t: task t's sleep timer has fired           */
unsigned paused : 9;        /* bit t: PausableFuture::stopped of task t        */
bit  spawned;               /* main has spawned the workers                    */
byte nsettled;              /* #workers that finished, were paused or dropped  */
byte pauses = P;            /* remaining pause budget                          */
byte drops  = D;            /* remaining drop budget                           */

/* scratch registers used only inside d_steps; always reset to 0 before the
 * d_step ends, so they are constant in every stored state.  (Not declared
 * `hidden` because pan -DBFS refuses models with hidden variables.) */
byte h, nheld, nassigned;

#define BIT(t)      (1 << (t))
#define ONRQ(t)     ((rq & BIT(t)) != 0)
#define WAKE(t)     rq = rq | BIT(t)            /* idempotent: "if not already queued" */
#define UNQ(t)      rq = rq & ~BIT(t)
#define PENDING(t)  (((armed & ~fired) & BIT(t)) != 0)   /* timer registered, not fired */
/* no task on the run queue and no timer pending: the system itself cannot move */
#define QUIESCENT   (spawned && rq == 0 && (armed & ~fired) == 0)

/* Invariants over the lock state; called at the end of every d_step that
 * changes the lock state, hence checked in every reachable state.
 *   (a) mutual exclusion: at most one owner
 *   plus sanity: permit conservation, and "free permit => empty queue"   */
inline check_inv() {
  nheld = 0; nassigned = 0; h = 0;
  do
  :: h < NT ->
     if
     :: ls[h] == L_HELD     -> nheld++
     :: ls[h] == L_ASSIGNED -> nassigned++
     :: else -> skip
     fi;
     h++
  :: else -> break
  od;
  assert(nheld <= 1);                              /* (a) mutual exclusion */
  assert(permits + nheld + nassigned == 1);        /* permit conservation  */
  assert(permits == 0 || len(wq) == 0);            /* no free permit while someone waits */
  h = 0; nheld = 0; nassigned = 0
}

/* Semaphore::release(1): eager hand-off to the oldest waiter (removed from
 * the queue and marked ASSIGNED) plus a wake of its task (put on the run
 * queue unless already there); if nobody waits, the permit goes back to the
 * pool. */
inline release() {
  if
  :: len(wq) > 0 -> wq?h; ls[h] = L_ASSIGNED; WAKE(h); h = 0
  :: else        -> permits = 1
  fi
}

/* Cancellation of worker _pid's future: leave the waiter queue, give back an
 * assigned or held permit, deregister the timer, remove from the run queue. */
inline drop_cleanup() {
  UNQ(_pid); armed = armed & ~BIT(_pid); fired = fired & ~BIT(_pid);
  if
  :: ls[_pid] == L_QUEUED -> wq??eval(_pid); ls[_pid] = L_NONE
  :: ls[_pid] == L_ASSIGNED || ls[_pid] == L_HELD -> ls[_pid] = L_NONE; release()
  :: else -> skip
  fi;
  check_inv()
}

/* ---------------- main task ---------------- */
active proctype main_task()
{
  /* poll #1 (block_on polls main first):
   *   let g = m.lock().await;  -- permit is free, queue empty: fast path
   *   spawn N workers          -- each put on the run queue
   *   yield_now().await        -- wakes itself, returns Pending           */
  d_step {
    permits = 0; ls[MAIN] = L_HELD;
    spawned = 1;
    h = 1;
    do
    :: h <= N -> WAKE(h); h++
    :: else -> break
    od;
    h = 0;
    WAKE(MAIN);
    check_inv();
    printf("EV main poll#1: lock() fast path -> owns guard; spawn %d workers; yield_now -> Pending (self-wake)\n", N)
  };
  /* poll #2: drop(g) (release, eager hand-off), return Ready */
  d_step {
    ONRQ(MAIN) -> UNQ(MAIN);
    ls[MAIN] = L_NONE; release();
    check_inv();
    printf("EV main poll#2: drop(guard) -> release(): hand-off to oldest waiter or back to pool; main returns\n")
  };
  /* main has returned.  The runtime is NOT shut down (this stands for main
   * joining the workers without modelling the join wake-ups, see README). */
end_main:
#ifndef NO_RETIRE
  /* Environment retires: pause/drop events are optional.  Once the system
   * is quiescent (nothing on the run queue, no timer pending) with some
   * worker unsettled, the environment may decide to never pause or drop
   * again.  Without this, leftover budget would keep such a stuck state
   * from being a SPIN end state (the env "could still drop someone").    */
  d_step {
    QUIESCENT && nsettled < N && (pauses > 0 || drops > 0) ->
    pauses = 0; drops = 0;
    printf("EV env: no further pause/drop events\n")
  }
#else
  false
#endif
}

/* ---------------- workers: PausableFuture(async { lock; sleep; unlock }) ----- */

/* pause event: PausableFuture::stopped = true (at most P in total) */
#define PAUSE_EV(c)  d_step { (c) && pauses > 0 -> pauses--; paused = paused | BIT(_pid); nsettled++; \
                       printf("EV W%d PAUSED (stopped = true)\n", _pid) }; goto end_paused
/* drop event: the task's future is dropped (at most D in total) */
#define DROP_EV(c)   d_step { (c) && drops > 0 -> drops--; drop_cleanup(); nsettled++; \
                       printf("EV W%d DROPPED (leaves queue / returns permit)\n", _pid) }; goto end_fin

active [N] proctype worker()
{
  /* spawned, body not started yet */
  if
  :: d_step {   /* poll: lock() fast path succeeds, then sleep() registers the timer -> Pending */
       ONRQ(_pid) && permits == 1 && len(wq) == 0 ->
       UNQ(_pid); permits = 0; ls[_pid] = L_HELD; armed = armed | BIT(_pid);
       check_inv();
       printf("EV W%d poll: lock() fast path -> owns guard; sleep() -> Pending\n", _pid)
     }; goto sleeping
  :: d_step {   /* poll: lock() must wait: enqueue at the tail -> Pending */
       ONRQ(_pid) && !(permits == 1 && len(wq) == 0) ->
       UNQ(_pid); wq!_pid; ls[_pid] = L_QUEUED;
       check_inv();
       printf("EV W%d poll: lock() contended -> enqueued (queue length %d) -> Pending\n", _pid, len(wq))
     }; goto waiting
  :: PAUSE_EV(spawned)   /* a worker exists only once spawned */
  :: DROP_EV(spawned)
  fi;

waiting:        /* lock().await is Pending */
  if
  :: d_step {   /* poll after the permit was assigned: own the guard, sleep -> Pending */
       ONRQ(_pid) && ls[_pid] == L_ASSIGNED ->
       UNQ(_pid); ls[_pid] = L_HELD; armed = armed | BIT(_pid);
       check_inv();
       printf("EV W%d poll: permit was assigned -> owns guard; sleep() -> Pending\n", _pid)
     }; goto sleeping
  :: d_step {   /* spurious poll while still queued -> Pending (unreachable) */
       ONRQ(_pid) && ls[_pid] == L_QUEUED -> UNQ(_pid);
       printf("EV W%d spurious poll while queued -> Pending\n", _pid)
     }; goto waiting
  :: PAUSE_EV(true)
  :: DROP_EV(true)
  fi;

sleeping:       /* holds the guard, sleep().await is Pending */
  if
  :: d_step {   /* timer driver: the timer fires and wakes the task */
       PENDING(_pid) -> fired = fired | BIT(_pid); WAKE(_pid);
       printf("EV W%d timer fires -> task woken\n", _pid)
     }; goto sleeping
  :: d_step {   /* poll after the timer fired: drop the guard (release), finish */
       ONRQ(_pid) && (fired & BIT(_pid)) != 0 ->
       UNQ(_pid); armed = armed & ~BIT(_pid); fired = fired & ~BIT(_pid);
       ls[_pid] = L_NONE; release(); nsettled++;
       check_inv();
       printf("EV W%d poll: sleep done; drop(guard) -> release(); worker FINISHED\n", _pid)
     }; goto end_fin
  :: d_step {   /* spurious poll before the timer fired -> Pending (unreachable) */
       ONRQ(_pid) && (fired & BIT(_pid)) == 0 -> UNQ(_pid);
       printf("EV W%d spurious poll while sleeping -> Pending\n", _pid)
     }; goto sleeping
  :: PAUSE_EV(true)
  :: DROP_EV(true)
  fi;

end_paused:     /* stopped: the inner body never runs again (valid end state) */
  if
  :: d_step {   /* poll of a paused task: Pending without polling the body; wake swallowed */
       ONRQ(_pid) -> UNQ(_pid);
       printf("EV W%d poll while PAUSED -> Pending, inner future not polled (wake swallowed)\n", _pid)
     }; goto end_paused
  :: d_step {   /* the inner sleep's timer may still fire and wake the task */
       PENDING(_pid) -> fired = fired | BIT(_pid); WAKE(_pid);
       printf("EV W%d (paused) timer fires -> task woken\n", _pid)
     }; goto end_paused
  :: d_step {   /* drop of a paused worker (already counted as settled) */
       drops > 0 -> drops--; drop_cleanup();
       printf("EV W%d (paused) DROPPED (leaves queue / returns permit)\n", _pid)
     }; goto end_fin
  fi;

end_fin:        /* finished or dropped: never moves again (valid end state) */
  false
}

#ifdef LIVE
/* (c) liveness: every worker eventually finishes unless it was paused or
 * dropped.  finished/paused/dropped are all stable, so this is
 * <> (all N workers settled).  SPIN extends deadlocked (finite) runs by
 * stuttering, so a stuck final state yields an acceptance cycle.          */
ltl live { <> (nsettled == N) }
#endif
