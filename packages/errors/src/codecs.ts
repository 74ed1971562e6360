import type { ErrorCodec, Family } from "./codec.js";
import { camaraCodec } from "./codecs/camara.js";
import { citibanamexCodec } from "./codecs/citibanamex.js";
import { createImiconnectCodec, type ImiconnectHttpStatusMode } from "./codecs/imiconnect.js";
import { masstackCodec } from "./codecs/masstack.js";
import { problemCodec } from "./codecs/problem.js";

export type CodecOptions = { imiconnectHttpStatus: ImiconnectHttpStatusMode };

/** Every family's codec, configured once (only IMIconnect has a switch). */
export function createCodecs(options: CodecOptions): Record<Family, ErrorCodec> {
  return {
    camara: camaraCodec,
    citibanamex: citibanamexCodec,
    masstack: masstackCodec,
    imiconnect: createImiconnectCodec(options.imiconnectHttpStatus),
    problem: problemCodec,
  };
}
