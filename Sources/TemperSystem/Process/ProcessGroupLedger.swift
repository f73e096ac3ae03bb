import TemperModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Remembers, on disk, the process groups a run has started. If temper itself is killed with
/// SIGKILL its children live on; the next run reads the ledger and stops them before it resumes,
/// so a stray training process cannot write into a stage that is being redone. Every process
/// also carries `TEMPER_WORK_DIR` in its environment, which finds the ones a kill left unrecorded
/// (between a spawn and its ledger entry, which is when a task has just ended and the next starts).
public actor ProcessGroupLedger {
    /// The environment variable that marks every process started for a work dir.
    public static let markKey = "TEMPER_WORK_DIR"

    struct Entry: Codable, Equatable {
        var group: Int32
        /// The leader's start time (field 22 of /proc/PID/stat), to tell a reused PID apart.
        var startTime: String?
    }

    let path: String
    /// This work dir's root: the value of `markKey` in the processes it starts.
    public nonisolated let mark: String
    private var entries: [Entry] = []

    public init(path: String, mark: String) {
        self.path = path
        self.mark = mark
    }

    func started(group: Int32) {
        entries.append(Entry(group: group, startTime: Self.startTime(of: group)))
        persist()
    }

    func finished(group: Int32) {
        entries.removeAll { $0.group == group }
        persist()
    }

    private func persist() {
        guard let data = try? JSONEncoder().encode(entries) else { return }
        // No fsync: the ledger must outlive temper, not the machine, and every millisecond
        // between a spawn and its entry is a window in which a SIGKILL leaves an unrecorded orphan.
        try? AtomicFile.write(data, to: path, durable: false)
    }

    /// Stops the groups a previous, killed run left running, and every process marked with this
    /// work dir, and waits until the marked ones are gone. Returns how many groups or unrecorded
    /// processes it stopped.
    @discardableResult
    public static func stopLeftovers(recordedIn path: String, mark: String) -> Int {
        var stoppedGroups: Set<Int32> = []
        if let data = FileManager.default.contents(atPath: path),
            let entries = try? JSONDecoder().decode([Entry].self, from: data)
        {
            for entry in entries where entry.group > 1 {
                let leader = startTime(of: entry.group)
                // A live leader with another start time is an unrelated process that reused the PID.
                if let leader, leader != entry.startTime { continue }
                if kill(-entry.group, SIGKILL) == 0 { stoppedGroups.insert(entry.group) }
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        let marked = markedProcesses(mark)
        // Members of a group stopped above are still listed until they die: count them once.
        let unrecorded = marked.filter { !stoppedGroups.contains(getpgid($0)) }
        killAndWait(marked, attempts: 200)
        return stoppedGroups.count + unrecorded.count
    }

    /// SIGKILLs the processes and waits (10 ms steps) until they are gone: killed processes
    /// still show until their parent (init, for orphans) reaps them.
    static func killAndWait(_ pids: [Int32], attempts: Int) {
        var alive = pids
        for pid in alive { kill(pid, SIGKILL) }
        for _ in 0..<attempts where !alive.isEmpty {
            usleep(10_000)
            alive = alive.filter { startTime(of: $0) != nil && !isZombie($0) }
        }
    }

    /// Kills every live process marked `key=value` (even those that left the process group
    /// with setsid) and waits, briefly, until they are gone.
    static func stopMarked(key: String, value: String) {
        killAndWait(markedProcesses(value, key: key), attempts: 100)
    }

    /// Live processes whose environment holds `key=mark` (other users' are unreadable).
    static func markedProcesses(_ mark: String, key: String = markKey) -> [Int32] {
        let needle = Array("\(key)=\(mark)".utf8)
        let own = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry), pid != own, !isZombie(pid),
                let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
            else { return nil }
            return environ.split(separator: 0).contains { Array($0) == needle } ? pid : nil
        }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }

    static func startTime(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name start at field 3; the start time is field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }
}
