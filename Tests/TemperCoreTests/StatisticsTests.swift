import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

@Suite struct StatisticsTests {
    @Test func medianAndMADOfKnownSamples() {
        #expect(Statistics.median([3, 1, 2]) == 2)
        #expect(Statistics.median([4, 1, 3, 2]) == 2.5)
        // Deviations from 2: 1 1 0 0 2 4 -> median 1.
        #expect(Statistics.mad([1, 3, 2, 2, 4, 6]) == 1)
        // An outlier moves neither.
        #expect(Statistics.median([1.0, 1.1, 1.2, 50]) == 1.15)
        #expect(abs(Statistics.mad([1.0, 1.1, 1.2, 50]) - 0.1) < 1e-12)
    }

    @Test func bootstrapIntervalOfAKnownRatio() {
        // Identical spreads, one twice as slow: the ratio 0.5 lies inside a tight interval.
        let fast = [1.00, 1.01, 0.99, 1.02, 0.98, 1.00, 1.01, 0.99]
        let slow = fast.map { $0 * 2 }
        let interval = Statistics.bootstrapRatio(fast, slow)
        #expect(interval.low <= 0.5 && 0.5 <= interval.high)
        #expect(interval.high - interval.low < 0.03)
        // Deterministic: the same samples give the same interval.
        #expect(Statistics.bootstrapRatio(fast, slow) == interval)
        // Constant samples give a degenerate interval at the exact ratio.
        #expect(Statistics.bootstrapRatio([2, 2, 2], [4, 4, 4]) == (0.5, 0.5))
    }
}
