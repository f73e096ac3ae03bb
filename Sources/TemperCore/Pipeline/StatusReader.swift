import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation

/// What `temper status` shows: the stages recorded in a work dir, in pipeline order.
public enum StatusReader {
    public struct Entry: Codable, Sendable, Equatable {
        public var name: String
        public var outcome: StageOutcome
        public var seconds: Double
        public var fingerprint: String?
        public var status: String
        public var message: String?
    }

    public static func entries(workDir: WorkDir) throws -> [Entry] {
        guard let state = try StateStore.load(path: workDir.stateFile) else {
            throw WorkDirError.notAWorkDir(root: workDir.root)
        }
        let order = PipelineComposer.stageOrder.map(\.rawValue)
        let names = state.stages.keys.sorted { (order.firstIndex(of: $0) ?? 99, $0) < (order.firstIndex(of: $1) ?? 99, $1) }
        let live = WorkDirLock.livePID(workDir)
        return names.compactMap { name in
            guard let record = state.stages[name] else { return nil }
            // A record still "running": running now when a live run holds the work dir, else
            // the run was killed.
            if record.status == .running, let live {
                return Entry(name: name, outcome: .pending, seconds: record.seconds, fingerprint: record.fingerprint, status: "running", message: "running now (pid \(live))")
            }
            let outcome: StageOutcome = record.status == .running ? .interrupted : record.outcome
            return Entry(name: name, outcome: outcome, seconds: record.seconds, fingerprint: record.fingerprint, status: record.status.rawValue, message: record.message)
        }
    }

    /// The work dir to use when none is given: the only one under `.temper/`.
    public static func defaultWorkDir() throws -> WorkDir {
        let base = FileManager.default.currentDirectoryPath + "/.temper"
        let candidates = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).sorted()
            .filter { WorkDir.holdsTemperState("\(base)/\($0)") }
        guard candidates.count == 1 else {
            throw WorkDirError.noDefault(base: base, candidates: candidates)
        }
        return WorkDir(root: "\(base)/\(candidates[0])")
    }
}
