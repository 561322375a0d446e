//! Pieces shared by pages.

pub mod alert;
pub mod auto_shutter;
pub mod edited_photos;
pub mod editor_tools;
pub mod invite_panel;
pub mod lab_stats;
pub mod live_stage;
pub mod member_list;
pub mod model_progress;
pub mod my_place;
pub mod name_field;
pub mod password_field;
pub mod photo_editor;
pub mod photo_instead;
pub mod scene_controls;
pub mod scene_stickers;
pub mod tryon_controls;
pub mod video_tile;
