import TemperModel

/// Warmup rounds, then measured rounds in which every side runs its workload once, in a new
/// shuffled order each round, so drift on a shared machine falls on every side alike. The one
/// implementation behind `temper bench` and BOLT's candidate selection.
public struct InterleavedRounds<Side: Hashable & Sendable>: Sendable {
    /// One side's workload, exactly as it runs (already wrapped by `WorkloadMeasurement.timed`).
    public struct Subject: Sendable {
        public var side: Side
        public var command: Command
        public var usageFile: String?

        public init(side: Side, command: Command, usageFile: String?) {
            self.side = side
            self.command = command
            self.usageFile = usageFile
        }
    }

    /// Where the rounds are: for progress lines.
    public struct Round: Sendable {
        /// 0-based over all rounds, warmup first: the index in log names.
        public var index: Int
        public var isWarmup: Bool
        /// 1-based within its kind (warmup or measured).
        public var number: Int
        public var of: Int
        /// Sides still measured.
        public var sides: Int
    }

    public var warmup: Int
    public var rounds: Int
    public var measurement: WorkloadMeasurement

    public init(warmup: Int, rounds: Int, measurement: WorkloadMeasurement) {
        self.warmup = warmup
        self.rounds = rounds
        self.measurement = measurement
    }

    /// The samples of the measured rounds per side. `failed` decides about a failed run: it
    /// returns to drop that side (it runs no more and keeps no samples), or throws to stop.
    public func run(
        _ subjects: [Subject], log: (Side, Round) -> String, announce: (Round) -> Void = { _ in },
        failed: (Side, WorkloadMeasurement.Failure) throws -> Void
    ) async throws -> [Side: [WorkloadMeasurement.Sample]] {
        var active = subjects
        var samples: [Side: [WorkloadMeasurement.Sample]] = [:]
        var generator = SystemRandomNumberGenerator()
        for index in 0..<(warmup + rounds) {
            let isWarmup = index < warmup
            let round = Round(
                index: index, isWarmup: isWarmup, number: isWarmup ? index + 1 : index - warmup + 1, of: isWarmup ? warmup : rounds, sides: active.count)
            announce(round)
            for subject in active.shuffled(using: &generator) {
                do {
                    let sample = try await measurement.run(timed: subject.command, usageFile: subject.usageFile, log: log(subject.side, round))
                    if !isWarmup { samples[subject.side, default: []].append(sample) }
                } catch let failure as WorkloadMeasurement.Failure {
                    try failed(subject.side, failure)
                    active.removeAll { $0.side == subject.side }
                    samples[subject.side] = nil
                }
            }
        }
        return samples
    }
}
