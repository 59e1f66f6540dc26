// One browser test at a time: they share the machine's two cores with Berth, Chromium and the
// virtual servers, and a starved live connection would make them flaky rather than faster.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
