import Foundation

enum S3Checksum {
    /// Base64 of the big-endian CRC32, the form of `x-amz-checksum-crc32`.
    static func base64(_ crc: UInt32) -> String {
        Data([UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)]).base64EncodedString()
    }
}
