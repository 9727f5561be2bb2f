import { NotificationList, NotificationPreferences } from "@/components/notify/notifications";

export const metadata = { title: "Notifications" };

export default function NotificationsPage() {
  return (
    <>
      <h1>Notifications</h1>
      <NotificationList />
      <NotificationPreferences />
    </>
  );
}
