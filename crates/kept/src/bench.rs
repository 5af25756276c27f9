//! `kept bench …`: the benchmarks' data and the search latency run (`kept_app::bench`).

use clap::Subcommand;
use kept_app::{Settings, bench};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Fill the database with generated customer messages across channels.
    Generate {
        #[arg(long, default_value_t = 1_000_000)]
        messages: u64,
        #[arg(long, default_value_t = 100_000)]
        customers: u64,
        /// The same seed gives the same messages.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Answer this percentage of the messages (5 minutes to 3 days later), so promises are
        /// kept and broken and new ones made: the figures' benchmark.
        #[arg(long, default_value_t = 0)]
        replied: u8,
    },
    /// Run typical searches and print latency percentiles.
    Search {
        #[arg(long, default_value_t = 100)]
        queries: usize,
    },
    /// Set up one location with `staff` people and fill the next 60 days with appointments;
    /// prints the location's and service's ids for the availability benchmark.
    Appointments {
        #[arg(long, default_value_t = 2_000)]
        appointments: usize,
        #[arg(long, default_value_t = 5)]
        staff: usize,
    },
}

pub async fn run(settings: Settings, command: BenchCommand) -> anyhow::Result<()> {
    let app = crate::customer::open_app(settings).await?;
    match command {
        BenchCommand::Generate {
            messages,
            customers,
            seed,
            replied,
        } => {
            let shape = bench::Shape {
                messages,
                customers,
                seed,
                replied,
            };
            bench::generate(&app, shape).await
        }
        BenchCommand::Search { queries } => bench::search(&app, queries).await,
        BenchCommand::Appointments { appointments, staff } => bench::fill_appointments(&app, appointments, staff).await,
    }
}
