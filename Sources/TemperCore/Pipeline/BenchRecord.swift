import TemperModel
import TemperSystem
import Foundation

/// The last `temper bench` kept in the work dir. The report shows it only while it measured
/// exactly the stages that hold now; `temper bench` writes it.
public enum BenchRecord {
    public static func latest(_ workDir: WorkDir) -> String { workDir.root + "/bench/latest.json" }

    /// The fingerprints a bench result is tied to: those of the records that hold.
    public static func fingerprints(_ current: [StageID: StageRecord]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: current.map { ($0.key.rawValue, $0.value.fingerprint) })
    }

    /// The last bench, if it measured exactly the stages that hold now.
    public static func current(_ workDir: WorkDir, current: [StageID: StageRecord]) -> BenchResult? {
        guard let data = FileManager.default.contents(atPath: latest(workDir)),
            let result = try? JSONDecoder().decode(BenchResult.self, from: data)
        else { return nil }
        return result.fingerprints == fingerprints(current) ? result : nil
    }
}
