import Foundation

/// One `temper bench`: what report.json holds under "bench" and what `<workdir>/bench/history/`
/// keeps, with the stage fingerprints, so results from different days can be compared.
public struct BenchResult: Codable, Sendable, Equatable {
    public struct Wall: Codable, Sendable, Equatable {
        public var median: Double
        public var mad: Double
        public var samples: [Double]

        package init(median: Double, mad: Double, samples: [Double]) {
            self.median = median
            self.mad = mad
            self.samples = samples
        }
    }

    public typealias Ratio = RatioInterval

    public struct VariantResult: Codable, Sendable, Equatable {
        public var name: String
        public var wall: Wall
        public var cpuSeconds: Double?
        public var peakRSSBytes: Int?
        public var binaryBytes: Int
        public var ratioToBaseline: Ratio?
        public var instructions: Int?

        enum CodingKeys: String, CodingKey {
            case name, wall, instructions
            case cpuSeconds = "cpu_seconds"
            case peakRSSBytes = "peak_rss_bytes"
            case binaryBytes = "binary_bytes"
            case ratioToBaseline = "ratio_to_baseline"
        }

        package init(name: String, wall: Wall, cpuSeconds: Double? = nil, peakRSSBytes: Int? = nil, binaryBytes: Int, ratioToBaseline: Ratio? = nil, instructions: Int? = nil) {
            self.name = name
            self.wall = wall
            self.cpuSeconds = cpuSeconds
            self.peakRSSBytes = peakRSSBytes
            self.binaryBytes = binaryBytes
            self.ratioToBaseline = ratioToBaseline
            self.instructions = instructions
        }
    }

    public var timestamp: String
    public var command: String
    public var runs: Int
    public var warmup: Int
    public var fingerprints: [String: String]
    public var variants: [VariantResult]

    /// A table for the terminal.
    public func render() -> String {
        let baseline = variants.first { $0.name == "baseline" }
        var lines = ["variant    median s     MAD s   cpu s    peak RSS     binary  vs baseline (95% CI)         instructions"]
        for variant in variants {
            var line = variant.name.padding(toLength: 9, withPad: " ", startingAt: 0)
            line += String(format: " %9.3f %9.4f", variant.wall.median, variant.wall.mad)
            line += variant.cpuSeconds.map { String(format: " %7.3f", $0) } ?? "       -"
            line += variant.peakRSSBytes.map { String(format: " %8.1f MB", Double($0) / 1_048_576) } ?? "          -"
            line += String(format: " %7.1f KB", Double(variant.binaryBytes) / 1024)
            if let ratio = variant.ratioToBaseline {
                line += String(format: "  %.2fx faster [%.2f, %.2f]", 1 / ratio.value, 1 / ratio.high, 1 / ratio.low)
            } else {
                line += "                            "
            }
            if let count = variant.instructions {
                line += "  " + String(count)
                if let base = baseline?.instructions, variant.name != "baseline", base > 0 {
                    line += String(format: " (%+.1f%%)", 100 * Double(count - base) / Double(base))
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// How this result moved against an older one, per variant present in both.
    public func comparison(to old: BenchResult) -> String {
        var lines = ["change since \(old.timestamp):"]
        for variant in variants {
            guard let before = old.variants.first(where: { $0.name == variant.name }) else { continue }
            var line = "  " + variant.name.padding(toLength: 9, withPad: " ", startingAt: 0)
            line += String(format: " wall %+.1f%%", 100 * (variant.wall.median / before.wall.median - 1))
            if let now = variant.instructions, let then = before.instructions, then > 0 {
                line += String(format: ", instructions %+.2f%%", 100 * Double(now - then) / Double(then))
            }
            let rebuilt = old.fingerprints != fingerprints ? " (stages changed since)" : ""
            lines.append(line + rebuilt)
        }
        return lines.joined(separator: "\n")
    }

    package init(timestamp: String, command: String, runs: Int, warmup: Int, fingerprints: [String: String], variants: [VariantResult]) {
        self.timestamp = timestamp
        self.command = command
        self.runs = runs
        self.warmup = warmup
        self.fingerprints = fingerprints
        self.variants = variants
    }
}
