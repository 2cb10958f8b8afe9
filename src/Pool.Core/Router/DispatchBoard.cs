using Akka.Actor;

namespace PoolCluster.Router;

/// <summary>
/// Who gets the next chunk, and whom to ask for work back. Every worker with room (demand) is a candidate; the one with
/// the fewest chunks in flight wins, ties go round robin, so demand that arrived first does not take a whole job.
/// A worker that sits idle while another holds several chunks asks that one for half of them back (work stealing):
/// a chunk that has not started must never wait behind a slow one while a worker is free.
/// </summary>
internal sealed class DispatchBoard
{
    private sealed class Load
    {
        public int Demand;
        public int InFlight;
        public int Finished;          // chunks it has finished, ever
        public int AskedBack;         // chunks asked back and not answered yet; 0: none asked
        public int DeclinedAtFinished = -1; // it declined when it had finished this many: ask again only after more
    }

    private readonly List<IActorRef> _order = [];
    private readonly Dictionary<IActorRef, Load> _loads = new();
    private int _next;

    /// <summary>The worker has room for <paramref name="count"/> more chunks.</summary>
    public void AddDemand(IActorRef worker, int count) => LoadOf(worker).Demand += count;

    /// <summary>The worker takes no more work (it drains or is gone); what it holds is accounted for elsewhere.</summary>
    public void Remove(IActorRef worker)
    {
        if (!_loads.Remove(worker)) return;
        var index = _order.IndexOf(worker);
        _order.RemoveAt(index);
        if (_next > index) _next--;
    }

    /// <summary>Picks the worker for the next chunk and books the chunk to it; null when no worker has room.</summary>
    public IActorRef? TakeFreest()
    {
        IActorRef? best = null;
        Load? bestLoad = null;
        var bestIndex = 0;
        for (var i = 0; i < _order.Count; i++)
        {
            var index = (_next + i) % _order.Count;
            var load = _loads[_order[index]];
            if (load.Demand <= 0 || (bestLoad is not null && load.InFlight >= bestLoad.InFlight)) continue;
            (best, bestLoad, bestIndex) = (_order[index], load, index);
        }
        if (best is null) return null;
        bestLoad!.Demand--;
        bestLoad.InFlight++;
        _next = (bestIndex + 1) % _order.Count;
        return best;
    }

    /// <summary>One chunk the worker held is no longer its business (answered, lost or handed back).</summary>
    public void Finished(IActorRef worker, bool ran)
    {
        if (!_loads.TryGetValue(worker, out var load)) return;
        load.InFlight = Math.Max(0, load.InFlight - 1);
        if (ran) load.Finished++;
    }

    /// <summary>The worker answered a request for work back.</summary>
    public void Answered(IActorRef worker, int returned)
    {
        if (!_loads.TryGetValue(worker, out var load)) return;
        load.AskedBack = 0;
        if (returned == 0) load.DeclinedAtFinished = load.Finished;
    }

    /// <summary>Forgets every chunk in flight (the pool failed them all).</summary>
    public void ClearInFlight()
    {
        foreach (var load in _loads.Values) (load.InFlight, load.AskedBack) = (0, 0);
    }

    /// <summary>
    /// For each worker that has room and holds nothing, the busiest other worker holding at least two chunks (so at
    /// least one that has not started) is asked for half of them; a worker is asked again only after it answered, and
    /// after a refusal (its queue was about to start anyway) only once it finished another chunk.
    /// </summary>
    public List<(IActorRef Victim, int Count)>? Steals()
    {
        List<(IActorRef, int)>? steals = null;
        foreach (var thief in _order)
        {
            var idle = _loads[thief];
            if (idle.Demand <= 0 || idle.InFlight > 0) continue;
            IActorRef? victim = null;
            Load? most = null;
            foreach (var candidate in _order)
            {
                var load = _loads[candidate];
                if (load.InFlight < 2 || load.AskedBack > 0 || load.DeclinedAtFinished == load.Finished) continue;
                if (most is null || load.InFlight > most.InFlight) (victim, most) = (candidate, load);
            }
            if (victim is null) break; // nobody holds anything to share
            most!.AskedBack = most.InFlight / 2;
            (steals ??= []).Add((victim, most.AskedBack));
        }
        return steals;
    }

    private Load LoadOf(IActorRef worker)
    {
        if (_loads.TryGetValue(worker, out var load)) return load;
        _loads[worker] = load = new Load();
        _order.Add(worker);
        return load;
    }
}
