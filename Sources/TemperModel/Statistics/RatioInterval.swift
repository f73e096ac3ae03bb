/// A ratio of medians (a variant's time over a reference's) with its 95% bootstrap interval:
/// the one shape `bench`, BOLT selection and tuning report a comparison in.
public struct RatioInterval: Codable, Sendable, Equatable {
    public var value: Double
    public var low: Double
    public var high: Double

    /// Where the interval lies: below 1.0 is faster, above is slower, across is undecided.
    public enum Verdict: String, Codable, Sendable {
        case faster, slower, undecided
    }

    public var verdict: Verdict { high < 1.0 ? .faster : low > 1.0 ? .slower : .undecided }

    package init(value: Double, low: Double, high: Double) {
        self.value = value
        self.low = low
        self.high = high
    }
}
