import { PageHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/states";

/** An area on the roadmap: said plainly, with nothing pretending to work. */
export function UpcomingArea({ title, description, arrivesWith }: { title: string; description: string; arrivesWith: string }) {
  return (
    <>
      <PageHeader title={title} description={description} />
      <EmptyState title={`${title} is not available in this version yet.`}>It arrives with {arrivesWith}; see docs/ROADMAP.md.</EmptyState>
    </>
  );
}
