import TemperModel
import Foundation

/// Runs a workload command and measures it: wall time always, CPU time and peak RSS through
/// GNU time when it is installed, and executed instructions through callgrind. One place for
/// both `temper bench` and BOLT's candidate selection, so they measure alike.
public struct WorkloadMeasurement: Sendable {
    public struct Sample: Sendable, Equatable {
        public var seconds: Double
        public var cpuSeconds: Double?
        public var peakRSSBytes: Int?
    }

    /// Why a measured run did not give a figure: the command, how it ended, its log.
    public struct Failure: Error, Sendable {
        public var command: String
        public var status: String
        public var log: String
    }

    let runner: any ProcessRunning

    public init(runner: any ProcessRunning) {
        self.runner = runner
    }

    /// GNU time reports a child's CPU time and peak RSS; when it is absent only wall time is kept.
    public static let gnuTime = "/usr/bin/time"

    /// The command as it is measured: under GNU time, writing to `usageFile`, when installed.
    public static func timed(_ command: Command, usageFile: String) -> (command: Command, usageFile: String?) {
        FileManager.default.isExecutableFile(atPath: gnuTime)
            ? (ToolCommands.gnuTime(command, usageFile: usageFile, time: gnuTime), usageFile) : (command, nil)
    }

    public func time(_ command: Command, log: String) async throws -> Sample {
        let (measured, usage) = Self.timed(command, usageFile: log + ".usage")
        return try await run(timed: measured, usageFile: usage, log: log)
    }

    /// Runs a command already wrapped by `timed` exactly as given.
    public func run(timed measured: Command, usageFile usage: String?, log: String) async throws -> Sample {
        if let usage { try? FileManager.default.removeItem(atPath: usage) }
        let outcome = try await runner.run(measured, logPath: log)
        guard outcome.succeeded else {
            throw Failure(command: measured.displayString, status: outcome.statusDescription, log: log)
        }
        var sample = Sample(seconds: outcome.seconds)
        if let usage, let text = try? String(contentsOfFile: usage, encoding: .utf8) {
            let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Double($0) }
            if fields.count >= 3 {
                sample.cpuSeconds = fields[0] + fields[1]
                sample.peakRSSBytes = Int(fields[2]) * 1024
            }
        }
        return sample
    }

    /// Executed instructions (callgrind's "Collected"): deterministic for the same binary,
    /// input and environment, whatever else the machine does.
    public func instructions(_ command: Command, log: String) async throws -> Int {
        try await count(callgrind: ToolCommands.callgrind(command), log: log)
    }

    /// Runs a callgrind command (`ToolCommands.callgrind`) exactly as given.
    public func count(callgrind counted: Command, log: String) async throws -> Int {
        let outcome = try await runner.run(counted, logPath: log)
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard outcome.succeeded, let count = Self.collected(in: text) else {
            throw Failure(
                command: counted.displayString,
                status: outcome.statusDescription + "; valgrind 3.19 cannot read DWARF 5, build with -gdwarf-4 or without -g", log: log)
        }
        return count
    }

    /// Runs a cachegrind command (`ToolCommands.cachegrind`) exactly as given.
    public func simulate(cachegrind counted: Command, log: String) async throws -> CachegrindSummary {
        try? FileManager.default.removeItem(atPath: log)
        let outcome = try await runner.run(counted, logPath: log)
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard outcome.succeeded, let summary = CachegrindSummary.parse(text) else {
            throw Failure(command: counted.displayString, status: outcome.statusDescription + "; cachegrind printed no summary", log: log)
        }
        return summary
    }

    static func collected(in text: String) -> Int? {
        text.split(separator: "\n").lazy.compactMap { line -> Int? in
            guard let range = line.range(of: "Collected : ") else { return nil }
            return Int(line[range.upperBound...].trimmingCharacters(in: .whitespaces))
        }.first
    }
}
