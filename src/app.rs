//! The running application's shared state: the store and the settings,
//! handed to every action and every request handler.

use std::sync::Arc;

use crate::actions::dashboard::DashboardCache;
use crate::config::Config;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// Dashboard figures per level unit, computed again when they move.
    pub dashboards: Arc<DashboardCache>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            dashboards: Arc::default(),
        }
    }
}
