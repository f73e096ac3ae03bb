import Foundation

/// Robust statistics for benchmark samples: medians and MADs resist the outliers a shared
/// machine produces, and the ratio's confidence interval comes from a bootstrap of medians.
public enum Statistics {
    public static func median(_ values: [Double]) -> Double {
        precondition(!values.isEmpty, "median of no values")
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Median absolute deviation (unscaled).
    public static func mad(_ values: [Double]) -> Double {
        let center = median(values)
        return median(values.map { abs($0 - center) })
    }

    /// A 95% confidence interval for median(numerator) / median(denominator): each bootstrap
    /// iteration resamples both samples with replacement and takes the ratio of the medians;
    /// the interval is the 2.5th and 97.5th percentiles. The generator is seeded, so the same
    /// samples always give the same interval.
    public static func bootstrapRatio(
        _ numerator: [Double], _ denominator: [Double], iterations: Int = 2000, seed: UInt64 = 0x7E3_9E37
    ) -> (low: Double, high: Double) {
        var generator = SplitMix64(seed: seed)
        var ratios: [Double] = []
        ratios.reserveCapacity(iterations)
        for _ in 0..<iterations {
            let top = median(numerator.map { _ in numerator[Int(generator.next() % UInt64(numerator.count))] })
            let bottom = median(denominator.map { _ in denominator[Int(generator.next() % UInt64(denominator.count))] })
            ratios.append(top / bottom)
        }
        ratios.sort()
        return (ratios[Int(Double(iterations) * 0.025)], ratios[min(iterations - 1, Int(Double(iterations) * 0.975))])
    }
}

extension Statistics {
    /// median(numerator) / median(denominator) with its 95% bootstrap interval: the one
    /// comparison `bench`, BOLT selection and `tune` report. Nil when either side is empty.
    public static func ratio(_ numerator: [Double], _ denominator: [Double]) -> RatioInterval? {
        guard !numerator.isEmpty, !denominator.isEmpty else { return nil }
        let interval = bootstrapRatio(numerator, denominator)
        return RatioInterval(value: median(numerator) / median(denominator), low: interval.low, high: interval.high)
    }

    /// The geometric mean over workloads of median(numerator) / median(denominator), with a 95%
    /// bootstrap interval: each iteration resamples every workload's two samples and takes the
    /// geometric mean of the medians' ratios. One workload gives exactly `ratio`.
    public static func geometricMeanRatio(_ pairs: [(numerator: [Double], denominator: [Double])], iterations: Int = 2000, seed: UInt64 = 0x7E3_9E37) -> RatioInterval? {
        guard !pairs.isEmpty, pairs.allSatisfy({ !$0.numerator.isEmpty && !$0.denominator.isEmpty }) else { return nil }
        if pairs.count == 1 { return ratio(pairs[0].numerator, pairs[0].denominator) }
        guard let value = geometricMean(pairs.map { median($0.numerator) / median($0.denominator) }) else { return nil }
        var generator = SplitMix64(seed: seed)
        var means: [Double] = []
        means.reserveCapacity(iterations)
        func resample(_ values: [Double]) -> [Double] { values.map { _ in values[Int(generator.next() % UInt64(values.count))] } }
        for _ in 0..<iterations {
            let ratios = pairs.map { median(resample($0.numerator)) / median(resample($0.denominator)) }
            if let mean = geometricMean(ratios) { means.append(mean) }
        }
        guard !means.isEmpty else { return nil }
        means.sort()
        return RatioInterval(value: value, low: means[Int(Double(means.count) * 0.025)], high: means[min(means.count - 1, Int(Double(means.count) * 0.975))])
    }

    /// The geometric mean (of ratios across workloads); nil for no values or a non-positive one.
    public static func geometricMean(_ values: [Double]) -> Double? {
        guard !values.isEmpty, values.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        return exp(values.map { log($0) }.reduce(0, +) / Double(values.count))
    }
}

/// A small, fast, seedable generator (Steele, Lea, Flood 2014), for reproducible bootstraps
/// and shuffles.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
