import type { ErrorCodec, Family } from "./codec.js";
import { camaraCodec, type CamaraContext } from "./codecs/camara.js";
import { citibanamexCodec, type CitibanamexContext } from "./codecs/citibanamex.js";
import { createImiconnectCodec, type ImiconnectContext, type ImiconnectHttpStatusMode } from "./codecs/imiconnect.js";
import { masstackCodec } from "./codecs/masstack.js";
import { problemCodec, type ProblemContext } from "./codecs/problem.js";

/** Every codec's context together: what a codec of any family may be handed. */
export type AnyCodecContext = CamaraContext & CitibanamexContext & ImiconnectContext & ProblemContext;

export type CodecOptions = { imiconnectHttpStatus: ImiconnectHttpStatusMode };

/** Every family's codec, configured once (only IMIconnect has a switch). */
export function createCodecs(options: CodecOptions): Record<Family, ErrorCodec> & {
  camara: ErrorCodec<CamaraContext>;
  citibanamex: ErrorCodec<CitibanamexContext>;
  masstack: ErrorCodec<object>;
  imiconnect: ErrorCodec<ImiconnectContext>;
  problem: ErrorCodec<ProblemContext>;
} {
  return {
    camara: camaraCodec,
    citibanamex: citibanamexCodec,
    masstack: masstackCodec,
    imiconnect: createImiconnectCodec(options.imiconnectHttpStatus),
    problem: problemCodec,
  };
}
