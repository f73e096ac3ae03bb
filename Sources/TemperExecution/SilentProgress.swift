import TemperModel
import TemperSystem
/// Progress that goes nowhere: for the doctor's probes (which report through their own result)
/// and for callers that only want the outcome.
public struct SilentProgress: ProgressSink {
    public init() {}
    public func stageStarted(_ stage: String, reason: String) {}
    public func stageRunning(_ stage: String, seconds: Double) {}
    public func stageFinished(_ stage: String, outcome: StageOutcome, seconds: Double, note: String?) {}
    public func itemStarted(_ stage: String, item: String, total: Int) {}
    public func itemFinished(_ stage: String, item: String, done: Int, total: Int, ok: Bool) {}
}
