import TemperModel
import Foundation

/// Deletes a whole work dir, but only one temper made, and only while no run holds its lock.
public enum WorkDirCleaner {
    public static func clean(_ workDir: WorkDir) throws {
        let type = (try? FileManager.default.attributesOfItem(atPath: workDir.root))?[.type] as? FileAttributeType
        guard type == .typeDirectory else {
            throw WorkDirError.unsafe(root: workDir.root, reason: type == nil ? "it does not exist" : "it is not a directory (a symlink is never followed)")
        }
        guard workDir.isTemperWorkDir else { throw WorkDirError.notAWorkDir(root: workDir.root) }
        let lock = try WorkDirLock(workDir: workDir)
        defer { lock.release() }
        for entry in try FileManager.default.contentsOfDirectory(atPath: workDir.root) where entry != "lock" {
            try workDir.remove(workDir.root + "/" + entry)
        }
        try FileManager.default.removeItem(atPath: workDir.root)
    }
}
