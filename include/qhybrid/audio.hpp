// SPDX-License-Identifier: Apache-2.0
#pragma once
// qhybrid's audio front end: WAV reading, resampling, FFT, librosa's STFT, mel, MFCC, chroma and frame features.
#include "qhybrid/audio/chroma.hpp"
#include "qhybrid/audio/deep_voice.hpp"
#include "qhybrid/audio/fft.hpp"
#include "qhybrid/audio/fixed_fft.hpp"
#include "qhybrid/audio/fixed_resample.hpp"
#include "qhybrid/audio/frame_matrix.hpp"
#include "qhybrid/audio/kaiser_lowpass.hpp"
#include "qhybrid/audio/mel.hpp"
#include "qhybrid/audio/mfcc.hpp"
#include "qhybrid/audio/resample.hpp"
#include "qhybrid/audio/spectral.hpp"
#include "qhybrid/audio/stft.hpp"
#include "qhybrid/audio/wav.hpp"
