import BedrockDoor
import Foundation
import SwitchyardModel
import Testing

@Suite struct BedrockErrorMapperTests {
    @Test(arguments: [
        (GatewayError.Kind.validation, "ValidationException", 400),
        (.payloadTooLarge, "ValidationException", 413),
        (.accessDenied, "AccessDeniedException", 403),
        (.notFound, "ResourceNotFoundException", 404),
        (.throttled, "ThrottlingException", 429),
        (.timeout, "ModelTimeoutException", 408),
        (.unavailable, "ServiceUnavailableException", 503),
        (.internalError, "InternalServerException", 500),
        (.streamFailed, "ModelStreamErrorException", 424),
        (.quotaExceeded, "ServiceQuotaExceededException", 400),
    ])
    func kindsMapToServiceModelCodes(_ kind: GatewayError.Kind, _ code: String, _ status: Int) throws {
        let aws = BedrockErrorMapper.awsError(for: GatewayError(kind, "nope: \"x\""))
        #expect(aws.code == code)
        #expect(aws.status == status)
        #expect(aws.headers.first { $0.name == "x-amzn-ErrorType" }?.value == code)
        #expect(aws.headers.first { $0.name == "Content-Type" }?.value == "application/json")
        let body = try JSONSerialization.jsonObject(with: Data(aws.body)) as? [String: Any]
        #expect(body?["message"] as? String == "nope: \"x\"")
    }
}
