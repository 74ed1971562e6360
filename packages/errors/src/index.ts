export { AppError, isAppError, type AppErrorOptions } from "./app-error.js";
export { errorKinds, httpStatusOfKind, invalidReasons, kindOfHttpStatus, type ErrorKind, type InvalidReason } from "./kinds.js";
export { fromUnknown } from "./from-unknown.js";
export { families, type ErrorCodec, type Family, type RenderedError, type RenderTime } from "./codec.js";
export { createCodecs, type AnyCodecContext, type CodecOptions } from "./codecs.js";
export { camaraCodec, camaraCodes, type CamaraContext, type CamaraErrorBody } from "./codecs/camara.js";
export { citibanamexCodec, citibanamexCodes, type CitibanamexContext, type CitibanamexErrorBody } from "./codecs/citibanamex.js";
export { masstackCodec, masstackCodes, MASSTACK_REF, type MasstackErrorBody } from "./codecs/masstack.js";
export {
  createImiconnectCodec,
  imiconnectCodes,
  IMICONNECT_ERROR_STATUS,
  SUCCESS_CODE as IMICONNECT_SUCCESS_CODE,
  type ImiconnectContext,
  type ImiconnectErrorBody,
  type ImiconnectHttpStatusMode,
} from "./codecs/imiconnect.js";
export { problemCodec, PROBLEM_TYPE_PREFIX, type ProblemBody, type ProblemContext } from "./codecs/problem.js";
export { CamaraErrorBodySchema, CitibanamexErrorBodySchema, ImiconnectErrorBodySchema, MasstackErrorBodySchema, ProblemBodySchema } from "./wire-schemas.js";
