//! Face-mesh index tables from MediaPipe (`face_mesh_connections.py` and
//! `tensors_to_face_landmarks_with_attention.pbtxt`). 'Left'/'right' follow
//! MediaPipe: landmark 33 and 61 are on the image left in an unmirrored frame.

/// Number of mesh points.
pub const MESH_POINTS: usize = 468;
/// Mesh plus the 10 iris points of the attention model.
pub const MESH_WITH_IRIS_POINTS: usize = 478;

/// Outer lip contour, an ordered loop (upper lip 61→291, then lower back).
pub const LIPS_OUTER: [usize; 20] = [
    61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146,
];
/// Inner lip contour, an ordered loop.
pub const LIPS_INNER: [usize; 20] = [
    78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95,
];

/// Mesh indices overwritten by the attention model's 80 lip points.
pub const ATTN_LIPS: [usize; 80] = [
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 185, 40, 39, 37, 0, 267, 269, 270, 409, 78,
    95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 191, 80, 81, 82, 13, 312, 311, 310, 415, 76, 77,
    90, 180, 85, 16, 315, 404, 320, 307, 306, 184, 74, 73, 72, 11, 302, 303, 304, 408, 62, 96, 89,
    179, 86, 15, 316, 403, 319, 325, 292, 183, 42, 41, 38, 12, 268, 271, 272, 407,
];
/// Mesh indices overwritten by the attention model's 71 left-eye points; the
/// first 16 are the eye contour, whose mean depth the iris points take.
pub const ATTN_LEFT_EYE: [usize; 71] = [
    33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 130, 25, 110, 24,
    23, 22, 26, 112, 243, 247, 30, 29, 27, 28, 56, 190, 226, 31, 228, 229, 230, 231, 232, 233, 244,
    113, 225, 224, 223, 222, 221, 189, 35, 124, 46, 53, 52, 65, 143, 111, 117, 118, 119, 120, 121,
    128, 245, 156, 70, 63, 105, 66, 107, 55, 193,
];
/// Same for the right eye.
pub const ATTN_RIGHT_EYE: [usize; 71] = [
    263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398, 359, 255, 339,
    254, 253, 252, 256, 341, 463, 467, 260, 259, 257, 258, 286, 414, 446, 261, 448, 449, 450, 451,
    452, 453, 464, 342, 445, 444, 443, 442, 441, 413, 265, 353, 276, 283, 282, 295, 372, 340, 346,
    347, 348, 349, 350, 357, 465, 383, 300, 293, 334, 296, 336, 285, 417,
];
/// How many leading entries of the eye tables form the contour used for iris depth.
pub const EYE_CONTOUR_LEN: usize = 16;

/// Nose tip (used to order faces left to right).
pub const NOSE_TIP: usize = 1;
/// Eye corners: MediaPipe-left eye outer/inner, right eye inner/outer.
pub const LEFT_EYE_OUTER: usize = 33;
pub const LEFT_EYE_INNER: usize = 133;
pub const RIGHT_EYE_INNER: usize = 362;
pub const RIGHT_EYE_OUTER: usize = 263;
/// Upper/lower eyelid mid-points.
pub const LEFT_EYE_TOP: usize = 159;
pub const LEFT_EYE_BOTTOM: usize = 145;
pub const RIGHT_EYE_TOP: usize = 386;
pub const RIGHT_EYE_BOTTOM: usize = 374;
/// Mouth corners (outer contour) and inner-lip mid-points.
pub const MOUTH_LEFT: usize = 61;
pub const MOUTH_RIGHT: usize = 291;
pub const INNER_LIP_TOP: usize = 13;
pub const INNER_LIP_BOTTOM: usize = 14;
/// Forehead top and chin, for the face's vertical axis.
pub const FOREHEAD: usize = 10;
pub const CHIN: usize = 152;
