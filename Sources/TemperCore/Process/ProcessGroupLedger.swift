import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Remembers, on disk, the process groups a run has started. If temper itself is killed with
/// SIGKILL its children live on; the next run reads the ledger and stops them before it resumes,
/// so a stray training process cannot write into a stage that is being redone.
public actor ProcessGroupLedger {
    struct Entry: Codable, Equatable {
        var group: Int32
        /// The leader's start time (field 22 of /proc/PID/stat), to tell a reused PID apart.
        var startTime: String?
    }

    let path: String
    private var entries: [Entry] = []

    public init(path: String) {
        self.path = path
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

    /// Stops the groups a previous, killed run left running. Returns how many it stopped.
    @discardableResult
    public static func stopLeftovers(recordedIn path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path),
            let entries = try? JSONDecoder().decode([Entry].self, from: data)
        else { return 0 }
        var stopped = 0
        for entry in entries where entry.group > 1 {
            let leader = startTime(of: entry.group)
            // A live leader with another start time is an unrelated process that reused the PID.
            if let leader, leader != entry.startTime { continue }
            if kill(-entry.group, SIGKILL) == 0 { stopped += 1 }
        }
        try? FileManager.default.removeItem(atPath: path)
        return stopped
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
